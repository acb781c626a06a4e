package io.gpufaas.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LRU's list-kept eviction order decides exactly as the tree does: the same random operations on
 * a cache of each kind give the same admissions, victims and dry-run plans at every step.
 */
class RecencyEvictionOrderTest {

    /** LRU's ranks, kept in the tree every other policy uses. */
    private static final class TreeKeptLru implements EvictionPolicy {
        private final LruPolicy lru = new LruPolicy();

        @Override
        public String name() {
            return "lru-in-a-tree";
        }

        @Override
        public double priorityOnAccess(CacheEntry entry) {
            return lru.priorityOnAccess(entry);
        }
    }

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 30);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void listAndTreeMakeTheSameDecisions(long seed) {
        assertThat(new LruPolicy().accessRanksLast()).isTrue();
        assertThat(new TreeKeptLru().accessRanksLast()).isFalse();
        Random random = new Random(seed);
        long capacity = 1_000;
        ModelCache list = new ModelCache(capacity, new LruPolicy());
        ModelCache tree = new ModelCache(capacity, new TreeKeptLru());
        Map<String, Integer> pins = new HashMap<>();
        Map<String, Integer> queued = new HashMap<>();
        List<String> loading = new ArrayList<>();
        for (int step = 0; step < 4_000; step++) {
            String model = "m" + random.nextInt(30);
            switch (random.nextInt(9)) {
                case 0, 1 -> {
                    long bytes = 1 + random.nextInt(random.nextInt(10) == 0 ? 1_200 : 300);
                    double cost = random.nextDouble() * 100;
                    Admission a = list.admit(model, bytes, cost);
                    assertThat(tree.admit(model, bytes, cost)).as("step %d", step).isEqualTo(a);
                    if (a instanceof Admission.Admitted) {
                        loading.add(model);
                    }
                }
                case 2 -> {
                    if (!loading.isEmpty()) {
                        String m = loading.remove(random.nextInt(loading.size()));
                        long actual = Math.max(1, list.entry(m).orElseThrow().bytes() + random.nextInt(100) - 50);
                        Optional<List<String>> victims = list.completeLoad(m, actual, 1);
                        assertThat(tree.completeLoad(m, actual, 1)).as("step %d", step).isEqualTo(victims);
                    }
                }
                case 3 -> {
                    list.pin(model);
                    tree.pin(model);
                    pins.merge(model, 1, Integer::sum);
                }
                case 4 -> {
                    if (pins.getOrDefault(model, 0) > 0) {
                        list.unpin(model);
                        tree.unpin(model);
                        pins.merge(model, -1, Integer::sum);
                    }
                }
                case 5 -> {
                    if (list.isReady(model)) {
                        list.recordHit(model);
                        tree.recordHit(model);
                    }
                }
                case 6 -> {
                    list.enqueued(model);
                    tree.enqueued(model);
                    queued.merge(model, 1, Integer::sum);
                }
                case 7 -> {
                    if (queued.getOrDefault(model, 0) > 0) {
                        list.dequeued(model);
                        tree.dequeued(model);
                        queued.merge(model, -1, Integer::sum);
                    }
                }
                default -> assertThat(tree.evict(model)).as("step %d", step).isEqualTo(list.evict(model));
            }
            list.checkInvariants();
            long needed = random.nextInt(1_100);
            assertThat(names(list.victimsFor(needed))).as("step %d", step).isEqualTo(names(tree.victimsFor(needed)));
        }
        assertThat(list.stats().evictions()).as("the run evicted").isPositive();
    }

    private static Optional<List<String>> names(Optional<List<CacheEntry>> victims) {
        return victims.map(v -> v.stream().map(CacheEntry::model).toList());
    }
}
