package io.gpufaas.core.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecentIdsTest {

    @Test
    void anIdIsADuplicateWithinTheWindowAndNewAfterIt() {
        RecentIds ids = new RecentIds(100, 1_000_000);
        assertThat(ids.acceptOrFirstSeen("a", 0)).isEqualTo(-1);
        assertThat(ids.acceptOrFirstSeen("a", 99)).isZero();
        assertThat(ids.acceptOrFirstSeen("a", 100)).isEqualTo(-1);
        assertThat(ids.acceptOrFirstSeen("a", 150)).isEqualTo(100);
    }

    @Test
    void aForgottenIdRunsAgainAndItsOldEntryDoesNotExpireTheNewOne() {
        RecentIds ids = new RecentIds(100, 1_000_000);
        ids.acceptOrFirstSeen("a", 0);
        ids.forget("a");
        assertThat(ids.acceptOrFirstSeen("a", 50)).isEqualTo(-1);
        // The first acceptance's entry expires at 100; the second must live to 150.
        assertThat(ids.acceptOrFirstSeen("b", 120)).isEqualTo(-1);
        assertThat(ids.acceptOrFirstSeen("a", 120)).isEqualTo(50);
    }

    @Test
    void memoryHoldsOneWindowOfIds() {
        RecentIds ids = new RecentIds(1_000, 1_000_000);
        for (int t = 0; t < 100_000; t++) {
            ids.acceptOrFirstSeen("id" + t, t);
        }
        assertThat(ids.size()).isEqualTo(1_000);
    }

    @Test
    void aRestoredCheckpointRemembersWhatTheOriginalDid() {
        Random random = new Random(7);
        RecentIds original = new RecentIds(500, 1_000_000);
        Map<String, Long> model = new HashMap<>();
        long now = 0;
        for (int i = 0; i < 5_000; i++) {
            now += random.nextInt(3);
            String id = "id" + random.nextInt(800);
            if (random.nextInt(10) == 0) {
                original.forget(id);
                model.remove(id);
                continue;
            }
            Long first = model.get(id);
            boolean fresh = first == null || first + 500 <= now;
            assertThat(original.acceptOrFirstSeen(id, now)).isEqualTo(fresh ? -1 : first);
            if (fresh) {
                model.put(id, now);
            }
        }
        RecentIds restored = new RecentIds(500, 1_000_000);
        restored.restore(original.snapshot());
        for (int i = 0; i < 800; i++) {
            assertThat(restored.acceptOrFirstSeen("id" + i, now)).isEqualTo(original.acceptOrFirstSeen("id" + i, now));
        }
    }

    @Test
    void pastItsBoundTheOldestAreForgottenEarlyAndCounted() {
        RecentIds ids = new RecentIds(1_000_000, 100);
        for (int i = 0; i < 1_000; i++) {
            ids.acceptOrFirstSeen("id" + i, i);
        }
        assertThat(ids.size()).isEqualTo(100);
        assertThat(ids.forgottenEarly()).isEqualTo(900);
        assertThat(ids.acceptOrFirstSeen("id999", 2_000)).isEqualTo(999); // the newest are remembered
        assertThat(ids.acceptOrFirstSeen("id0", 2_000)).isEqualTo(-1);    // the oldest were not
    }
}
