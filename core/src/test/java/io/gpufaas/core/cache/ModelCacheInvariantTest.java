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
}
