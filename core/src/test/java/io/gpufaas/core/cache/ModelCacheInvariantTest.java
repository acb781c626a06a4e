package io.gpufaas.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Random operation sequences: the accounting stays exact and within capacity, pinned models stay. */
class ModelCacheInvariantTest {

    static List<Object[]> cases() {
        List<Object[]> cases = new ArrayList<>();
        for (String policy : EvictionPolicies.NAMES) {
            for (long seed = 1; seed <= 20; seed++) {
                cases.add(new Object[] {policy, seed});
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void invariantsHoldUnderRandomOperations(String policy, long seed) {
        Random random = new Random(seed);
        long capacity = 1_000;
        ModelCache cache = new ModelCache(capacity, EvictionPolicies.create(policy));
        Map<String, Integer> pins = new HashMap<>();
        Map<String, Integer> queued = new HashMap<>();
        List<String> loading = new ArrayList<>();
        for (int step = 0; step < 3_000; step++) {
            String model = "m" + random.nextInt(25);
            switch (random.nextInt(9)) {
                case 7 -> {
                    cache.enqueued(model);
                    queued.merge(model, 1, Integer::sum);
                }
                case 8 -> {
                    if (queued.getOrDefault(model, 0) > 0) {
                        cache.dequeued(model);
                        queued.merge(model, -1, Integer::sum);
                    }
                }
                case 0, 1 -> {
                    long bytes = 1 + random.nextInt(random.nextInt(10) == 0 ? 1_200 : 400);
                    Admission a = cache.admit(model, bytes, random.nextDouble() * 100);
                    if (a instanceof Admission.Admitted admitted) {
                        loading.add(model);
                        admitted.victims().forEach(v -> assertThat(pins.getOrDefault(v, 0)).as("evicted pinned %s", v).isZero());
                    }
                    if (a instanceof Admission.TooLarge) {
                        assertThat(bytes).isGreaterThan(capacity);
                    }
                }
                case 2 -> {
                    if (!loading.isEmpty()) {
                        String m = loading.remove(random.nextInt(loading.size()));
                        if (random.nextInt(5) == 0) {
                            cache.loadFailed(m);
                        } else {
                            long actual = cache.entry(m).orElseThrow().bytes() + random.nextInt(100) - 50;
                            cache.completeLoad(m, Math.max(1, actual), 1).ifPresent(victims -> victims.forEach(
                                    v -> assertThat(pins.getOrDefault(v, 0)).as("evicted pinned %s", v).isZero()));
                        }
                    }
                }
                case 3 -> {
                    cache.pin(model);
                    pins.merge(model, 1, Integer::sum);
                }
                case 4 -> {
                    if (pins.getOrDefault(model, 0) > 0) {
                        cache.unpin(model);
                        pins.merge(model, -1, Integer::sum);
                    }
                }
                case 5 -> {
                    if (cache.isReady(model)) {
                        cache.recordHit(model);
                    }
                }
                default -> {
                    boolean wasPinned = pins.getOrDefault(model, 0) > 0;
                    boolean evicted = cache.evict(model);
                    if (wasPinned) {
                        assertThat(evicted).isFalse();
                    }
                }
            }
            cache.checkInvariants();
            for (String m : pins.keySet()) {
                assertThat(cache.pins(m)).isEqualTo(pins.get(m));
            }
            for (String m : queued.keySet()) {
                assertThat(cache.queued(m)).isEqualTo(queued.get(m));
            }
        }
    }

    /**
     * A batch started and finished as one call each ({@link ModelCache#started}, {@link
     * ModelCache#unpin(String, int)}) leaves a cache exactly as the per-invocation calls a worker
     * made before: the same counts, pins, queue and eviction order, whatever came before.
     */
    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void aBatchAtOnceEqualsItsInvocationsOneByOne(String policy, long seed) {
        Random random = new Random(seed);
        long capacity = 1_000;
        ModelCache atOnce = new ModelCache(capacity, EvictionPolicies.create(policy));
        ModelCache oneByOne = new ModelCache(capacity, EvictionPolicies.create(policy));
        Map<String, List<Boolean>> queuedHits = new HashMap<>();
        Map<String, Integer> running = new HashMap<>();
        for (int step = 0; step < 3_000; step++) {
            String model = "m" + random.nextInt(15);
            switch (random.nextInt(6)) {
                case 0 -> {
                    boolean ready = oneByOne.isReady(model);
                    oneByOne.enqueued(model);
                    assertThat(atOnce.enqueued(model)).as("enqueued(%s) says whether it is ready", model).isEqualTo(ready);
                    queuedHits.computeIfAbsent(model, m -> new ArrayList<>()).add(ready);
                }
                case 1 -> {
                    long bytes = 1 + random.nextInt(400);
                    if (atOnce.admit(model, bytes, 10) instanceof Admission.Admitted) {
                        assertThat(oneByOne.admit(model, bytes, 10)).isInstanceOf(Admission.Admitted.class);
                        atOnce.completeLoad(model, bytes, 10);
                        oneByOne.completeLoad(model, bytes, 10);
                    }
                }
                case 2, 3 -> {
                    List<Boolean> hits = queuedHits.getOrDefault(model, List.of());
                    if (!hits.isEmpty() && atOnce.isReady(model)) {
                        int count = 1 + random.nextInt(hits.size());
                        List<Boolean> batch = new ArrayList<>(hits.subList(0, count));
                        hits.subList(0, count).clear();
                        atOnce.started(model, count, (int) batch.stream().filter(h -> h).count());
                        for (boolean hit : batch) {
                            if (hit) {
                                oneByOne.recordHit(model);
                            }
                            oneByOne.dequeued(model);
                            oneByOne.pin(model);
                        }
                        running.merge(model, count, Integer::sum);
                    }
                }
                case 4 -> {
                    int pinned = running.getOrDefault(model, 0);
                    if (pinned > 0) {
                        int done = 1 + random.nextInt(pinned);
                        atOnce.unpin(model, done);
                        for (int i = 0; i < done; i++) {
                            oneByOne.unpin(model);
                        }
                        running.merge(model, -done, Integer::sum);
                    }
                }
                default -> assertThat(atOnce.evict(model)).isEqualTo(oneByOne.evict(model));
            }
            atOnce.checkInvariants();
            assertThat(atOnce.stats()).isEqualTo(oneByOne.stats());
            assertThat(atOnce.evictableBytes()).isEqualTo(oneByOne.evictableBytes());
            assertThat(atOnce.totalFrequency()).isEqualTo(oneByOne.totalFrequency());
            assertThat(atOnce.pins(model)).isEqualTo(oneByOne.pins(model));
            assertThat(atOnce.queued(model)).isEqualTo(oneByOne.queued(model));
            // Every evictable model, in the order evictions would take them.
            long all = atOnce.freeBytes() + atOnce.evictableBytes();
            assertThat(atOnce.victimsFor(all).orElseThrow().stream().map(CacheEntry::model).toList())
                    .isEqualTo(oneByOne.victimsFor(all).orElseThrow().stream().map(CacheEntry::model).toList());
        }
    }
}
