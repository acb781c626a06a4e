package io.gpufaas.core.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Rings are shared by worker count and answer as a freshly built one does, remembered keys or not. */
class HashRingTest {

    @Test
    void policiesOnPoolsOfOneSizeShareOneRing() {
        HashRing shared = HashRing.forWorkers(null, 7);
        assertThat(HashRing.forWorkers(null, 7)).isSameAs(shared);
        assertThat(HashRing.forWorkers(shared, 7)).isSameAs(shared);
        assertThat(HashRing.forWorkers(shared, 9).size()).isEqualTo(9 * HashRing.VIRTUAL_NODES);
    }

    @Test
    void positionsMatchAFreshRingPastTheRememberedKeys() {
        HashRing shared = HashRing.forWorkers(null, 5);
        HashRing fresh = new HashRing(5);
        for (int k = 0; k < HashRing.MAX_REMEMBERED_KEYS + 2_000; k++) {
            String key = "model-" + k;
            assertThat(shared.positionOf(key)).as(key).isEqualTo(fresh.positionOf(key));
        }
        for (int k = 0; k < HashRing.MAX_REMEMBERED_KEYS + 2_000; k += 7_001) {
            String key = "model-" + k;
            assertThat(shared.positionOf(key)).as("%s asked again", key).isEqualTo(fresh.positionOf(key));
        }
    }
}
