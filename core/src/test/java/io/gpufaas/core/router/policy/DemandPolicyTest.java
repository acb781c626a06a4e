package io.gpufaas.core.router.policy;

import static io.gpufaas.core.router.policy.RouterFixtures.preload;
import static io.gpufaas.core.router.policy.RouterFixtures.req;
import static io.gpufaas.core.router.policy.RouterFixtures.workers;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.router.Scheduler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ours: bounded loads for balance, the cache for hits. */
class DemandPolicyTest {

    private static List<WorkerView> workersWithSlots(int n, long capacity, int slots) {
        List<WorkerView> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new WorkerView(i, capacity, slots));
        }
        return list;
    }

    @Test
    void takesAHitUnderTheBoundWhereConsistentHashingWouldLoadAtTheModelsPlace() {
        List<WorkerView> ws = workers(8, 10_000);
        int place = placeOf("m", ws);
        int holder = (place + 3) % 8;
        preload(ws.get(holder), "m");

        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(ws), 0)).isEqualTo(OptionalInt.of(holder));
        assertThat(new ConsistentHashPolicy(1.25).choose(req("r", "m"), new Cluster(ws), 0)).isEqualTo(OptionalInt.of(place));
    }

    @Test
    void aBurstOfOneModelSpreadsOverSeveralWorkersAtOnceWithinTheBound() {
        Scheduler<String> s = new Scheduler<>(new DemandPolicy(), workersWithSlots(8, 10_000, 4), 16, 64);
        for (int i = 0; i < 16; i++) {
            s.submit(req("r" + i, "hot"));
        }
        List<Assignment<String>> out = s.dispatch(0);

        Set<Integer> used = new HashSet<>();
        out.forEach(a -> used.add(a.worker()));
        // The bound ceil(1.25 (running + 1) / 8) is 3 for the last of the 16: no worker takes
        // more, so the burst gets at least six copies in one round, where one-load-at-a-time
        // policies start one.
        assertThat(out).hasSize(16);
        assertThat(used).hasSizeGreaterThanOrEqualTo(6);
        for (WorkerView w : s.workers()) {
            assertThat(w.running()).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void whenDemandFallsTheSameCopyTakesTheWorkAndTheOthersAgeOut() {
        Scheduler<String> s = new Scheduler<>(new DemandPolicy(), workersWithSlots(8, 10_000, 4), 16, 64);
        for (int i = 0; i < 16; i++) {
            s.submit(req("r" + i, "hot"));
        }
        s.dispatch(0).forEach(a -> s.complete(a.worker(), a.model()));
        assertThat(s.copies("hot")).isGreaterThanOrEqualTo(6);

        // One at a time now: every invocation hits the same idle holder.
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            s.submit(req("slow" + i, "hot"));
            for (Assignment<String> a : s.dispatch(i)) {
                assertThat(a.load()).isFalse();
                used.add(a.worker());
                s.complete(a.worker(), a.model());
            }
        }
        assertThat(used).hasSize(1);
    }

    @Test
    void waitsForItsPlaceWhenThePlaceIsBusyButUnderTheBound() {
        // One slot per worker: the model's place runs something, so the invocation waits for it
        // rather than loading on the next worker round the ring.
        List<WorkerView> ws = workers(4, 10_000);
        int place = placeOf("m", ws);
        startLoadsOnAllBut(ws, place, -1);
        // Three of four running: the bound is ceil(1.25 x 4 / 4) = 2, every worker is under it,
        // and the first under it from the hash is the idle place.
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(ws), 0)).isEqualTo(OptionalInt.of(place));
        // The place now runs a hit (10 ms queued, less than the 100 ms load), and a worker is idle
        // with room: waiting is expected to be quicker than a copy.
        preload(ws.get(place), "x");
        ws.get(place).start(req("busy", "x"), 0);
        ws.get((place + 1) % 4).complete("other" + ((place + 1) % 4));
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(ws), 0)).isEmpty();
    }

    @Test
    void loadsACopyOnAnIdleWorkerWithRoomWhenThePlacesQueueOutlastsTheLoad() {
        List<WorkerView> ws = workers(4, 10_000);
        int place = placeOf("m", ws);
        int idle = (place + 2) % 4;
        startLoadsOnAllBut(ws, idle, -1);
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(ws), 0)).isEqualTo(OptionalInt.of(idle));
        // Later the place's work is nearly done (20 ms left, less than the load): it is waited for.
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(ws), 90)).isEmpty();
    }

    @Test
    void noCopyOnAnIdleWorkerThatWouldEvictOrWhileACopyIsStillLoading() {
        // Room for one 100-byte model per worker.
        List<WorkerView> ws = workers(4, 100);
        int place = placeOf("m", ws);
        int idle = (place + 2) % 4;
        preload(ws.get(idle), "resident");
        startLoadsOnAllBut(ws, idle, -1);
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(ws), 0)).as("the idle worker would evict").isEmpty();

        List<WorkerView> roomy = workers(4, 10_000);
        int at = placeOf("m", roomy);
        int loading = (at + 1) % 4;
        int free = (at + 2) % 4;
        startLoadsOnAllBut(roomy, free, loading);
        assertThat(roomy.get(loading).isLoading("m")).isTrue();
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(roomy), 0)).as("m is loading elsewhere").isEmpty();
    }

    /**
     * Starts a load and a run (110 ms queued) on every worker but {@code idle}: of model "m" on
     * {@code loadsM} (-1: none), of a model of its own on the others.
     */
    private static void startLoadsOnAllBut(List<WorkerView> ws, int idle, int loadsM) {
        for (int i = 0; i < ws.size(); i++) {
            if (i != idle) {
                ws.get(i).start(req("busy" + i, i == loadsM ? "m" : "other" + i), 0);
            }
        }
    }

    private static int placeOf(String model, List<WorkerView> ws) {
        return new ConsistentHashPolicy(1.25).choose(req("r", model), new Cluster(ws), 0).getAsInt();
    }
}
