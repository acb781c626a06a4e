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
    void waitsForABusyHolderRatherThanEvictAtThePlaceButNoLongerThanALoad() {
        // Room for one 100-byte model per worker, one slot each. The holder runs a hit of "m"
        // (10 ms queued); the model's place holds another model, idle, which a load would evict.
        List<WorkerView> ws = workers(2, 100);
        int place = placeOf("m", ws);
        int holder = 1 - place;
        preload(ws.get(place), "resident");
        preload(ws.get(holder), "m");
        ws.get(holder).start(req("running", "m"), 0);
        DemandPolicy policy = new DemandPolicy();

        // At the holder it would finish after 20 ms; at the place after the 100 ms load, a run and
        // the evicted model's reload.
        assertThat(policy.choose(req("r", "m"), new Cluster(ws), 0)).as("waits for the busy holder").isEmpty();
        assertThat(policy.refusalAwaitsRelease()).as("the answer moves with time").isFalse();
        assertThat(policy.choose(req("r", "m"), new Cluster(ws), 99)).isEmpty();
        // Two of "m" waiting for its one holder: the holder is what is short, so it loads.
        Cluster twoWaiting = new Cluster(ws);
        twoWaiting.waiting(model -> model.equals("m") ? 2 : 0, () -> 2);
        assertThat(policy.choose(req("r", "m"), twoWaiting, 0)).isEqualTo(OptionalInt.of(place));
        // Once it has waited a load, the wait has cost what the load would: it loads at its place.
        assertThat(policy.choose(req("r", "m"), new Cluster(ws), 100)).isEqualTo(OptionalInt.of(place));
        // A place with room evicts nothing: it loads there at once, busy holder or not.
        List<WorkerView> roomy = workers(2, 10_000);
        preload(roomy.get(holder), "m");
        roomy.get(holder).start(req("running", "m"), 0);
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(roomy), 0)).isEqualTo(OptionalInt.of(place));
        // Nor does it wait while another free worker has room, though the place would evict.
        List<WorkerView> three = workers(3, 100);
        int at = placeOf("m", three);
        int busy = (at + 1) % 3;
        preload(three.get(at), "resident");
        preload(three.get(busy), "m");
        three.get(busy).start(req("running", "m"), 0);
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(three), 0)).isPresent();
        preload(three.get((at + 2) % 3), "another");
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(three), 0)).as("every load evicts now").isEmpty();
    }

    @Test
    void aModelWhoseDemandOutgrowsItsCopiesLoadsAtItsPlaceWhileMemoryIsAmple() {
        // Four workers with room for one 100-byte model and two slots each, every one holding a
        // model. The holder of "m" runs one of it (10 ms queued): over the bound of 1, with a free
        // slot. A load at the model's place would evict what is there.
        List<WorkerView> ws = workersWithSlots(4, 100, 2);
        int place = placeOf("m", ws);
        int holder = (place + 1) % 4;
        for (int i = 0; i < 4; i++) {
            preload(ws.get(i), i == holder ? "m" : "resident" + i);
        }
        ws.get(holder).start(req("running", "m"), 1_000);

        DemandPolicy calm = new DemandPolicy();
        for (int t = 0; t < 1_000; t += 100) {
            calm.arrived("m", t); // 0.01 a millisecond x 10 ms: a tenth of a GPU kept busy
        }
        assertThat(calm.choose(req("r", "m"), new Cluster(ws), 1_000)).as("queued at the holder, done after 20 ms")
                .isEqualTo(OptionalInt.of(holder));

        DemandPolicy burst = new DemandPolicy();
        for (int t = 0; t < 1_000; t += 5) {
            burst.arrived("m", t); // 0.2 a millisecond x 10 ms: two GPUs busy, one copy
        }
        assertThat(burst.choose(req("r", "m"), new Cluster(ws), 1_000)).as("a copy at its place")
                .isEqualTo(OptionalInt.of(place));

        // Once the pool cannot hold two copies of every model it has been asked for, a copy more
        // may evict the only copy of one that is needed: the burst queues at the holder again.
        for (String other : List.of("x1", "x2")) {
            burst.choose(req("h", other), new Cluster(ws), 1_000);
        }
        assertThat(burst.choose(req("r", "m"), new Cluster(ws), 1_000)).as("memory short: queued at the holder")
                .isEqualTo(OptionalInt.of(holder));
    }

    @Test
    void aLoadThatWouldEvictAPopularModelAtItsPlaceGoesToANearbyWorkerWhereItDisplacesLess() {
        // Five idle workers with room for two 100-byte models, each full. Evicting a model costs
        // its 100 ms reload times its share of its worker's accesses: the least recently used
        // model is the victim.
        List<Integer> order = ringOrder("m", 5);
        List<WorkerView> ws = workers(5, 200);
        for (int id : order) {
            fill(ws.get(id), 9, 1); // victim used 9 of 10 times: displaces 90 ms
        }
        int place = order.get(0);
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(ws), 0))
                .as("every nearby eviction costs as much: the place").isEqualTo(OptionalInt.of(place));

        // The fifth worker on the ring would displace less, but only the next three are looked at.
        List<WorkerView> far = workers(5, 200);
        for (int k = 0; k < 5; k++) {
            fill(far.get(order.get(k)), k == 4 ? 1 : 9, k == 4 ? 9 : 1);
        }
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(far), 0)).isEqualTo(OptionalInt.of(place));

        // The third would displace a model used once in ten times (10 ms): the load goes there.
        List<WorkerView> near = workers(5, 200);
        for (int k = 0; k < 5; k++) {
            fill(near.get(order.get(k)), k == 2 ? 1 : 9, k == 2 ? 9 : 1);
        }
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(near), 0)).isEqualTo(OptionalInt.of(order.get(2)));

        // Unless it is busy: no free slot, so the place again.
        near.get(order.get(2)).start(req("busy", "m2"), 0);
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(near), 0)).isEqualTo(OptionalInt.of(place));
    }

    @Test
    void aLoadThatWouldWaitAtItsPlaceBehindALongerLoadGoesToANearbyWorker() {
        // Four workers with two slots and room for every model. Each runs one invocation of a
        // model of its own (so the bound, 2, lets the place take one more); the place's is a
        // 1,000 ms load, the others' 100 ms loads.
        List<Integer> order = ringOrder("m", 4);
        int place = order.get(0);
        List<WorkerView> ws = workersWithSlots(4, 10_000, 2);
        for (WorkerView w : ws) {
            double loadMs = w.id() == place ? 1_000 : 100;
            w.start(new Request<>("busy" + w.id(), "own" + w.id(), 100, loadMs, 10, 0), 0);
        }
        // m's own load takes 100 ms: at the place it would wait 1,000 ms for the load ahead.
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(ws), 0))
                .as("the next worker round the ring loads it sooner").isEqualTo(OptionalInt.of(order.get(1)));

        // Behind a load no longer than its own, it stays at its place, however long the place's
        // queued work (a 50 ms load, then a 2 s run).
        List<WorkerView> shortLoad = workersWithSlots(4, 10_000, 2);
        for (WorkerView w : shortLoad) {
            double loadMs = w.id() == place ? 50 : 100;
            double runMs = w.id() == place ? 2_000 : 10;
            w.start(new Request<>("busy" + w.id(), "own" + w.id(), 100, loadMs, runMs, 0), 0);
        }
        assertThat(new DemandPolicy().choose(req("r", "m"), new Cluster(shortLoad), 0)).isEqualTo(OptionalInt.of(place));
    }

    /**
     * Fills {@code w} (room for two 100-byte models) with "old", used {@code oldUses} times, then
     * "new", used {@code newUses} times: "old" is the least recently used, the next victim.
     */
    private static void fill(WorkerView w, int oldUses, int newUses) {
        for (int i = 0; i < oldUses; i++) {
            preload(w, "old" + w.id());
        }
        for (int i = 0; i < newUses; i++) {
            preload(w, "new" + w.id());
        }
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

    @Test
    void copiesAModelWhoseLineIsTheQueueOntoAFreeWorkerThatMustEvict() {
        List<WorkerView> ws = hotLineAtABusyHolderAndAColdIdleWorker();
        int c = ringOrder("hot", 3).get(1);

        // At 200 ms the oldest has waited longer than a load and a run (110 ms). 30 waiting take
        // 300 ms to drain on one holder; a copy on C finishes after its load (100 ms), the cold
        // model's expected reload (100 ms) and a run (10 ms).
        assertThat(choose(ws, 30, 30, 200)).isEqualTo(OptionalInt.of(c));
        assertThat(choose(ws, 30, 30, 50)).as("the oldest has not yet waited as long as a copy takes").isEmpty();
        assertThat(choose(ws, 30, 34, 200)).as("other models wait too: a tenth of the queue is theirs").isEmpty();
        assertThat(choose(ws, 20, 20, 200)).as("the line drains on the holder before a copy would be loaded").isEmpty();
        ws.get(c).start(req("cold-run", "cold"), 200);
        assertThat(choose(ws, 30, 30, 200)).as("C's model is running: nothing there can be evicted").isEmpty();
    }

    @Test
    void rule5sRefusalsSayTheLimitTheyHoldWithinAndTurnJustPastIt() {
        List<WorkerView> ws = hotLineAtABusyHolderAndAColdIdleWorker();
        OptionalInt copy = OptionalInt.of(ringOrder("hot", 3).get(1));

        DemandPolicy young = refusing(ws, 30, 30, 50);
        assertThat(young.refusalStandsUntilMs()).as("until the oldest has waited a load and a run, 110 ms")
                .isLessThanOrEqualTo(110).isGreaterThan(109.99);
        assertThat(young.refusalStandsWhileLineAtMost()).isEqualTo(Integer.MAX_VALUE);
        assertThat(choose(ws, 30, 30, 110)).isEqualTo(copy);

        DemandPolicy shortShare = refusing(ws, 30, 34, 200);
        assertThat(shortShare.refusalStandsWhileQueuedAtLeast()).as("30 < 0.9 x 34, not 0.9 x 33").isEqualTo(34);
        assertThat(shortShare.refusalStandsWhileLineAtMost()).isEqualTo(30);
        assertThat(shortShare.refusalStandsUntilMs()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(choose(ws, 30, 33, 200)).isEqualTo(copy);
        assertThat(choose(ws, 31, 34, 200)).isEqualTo(copy);

        DemandPolicy quickDrain = refusing(ws, 11, 11, 200);
        assertThat(quickDrain.refusalStandsWhileLineAtMost()).as("11 x 10 ms drain within a copy's 110 ms").isEqualTo(11);
        assertThat(quickDrain.refusalStandsWhileQueuedAtLeast()).isZero();
        assertThat(choose(ws, 30, 30, 200)).isEqualTo(copy);

        DemandPolicy weighed = new DemandPolicy();
        Cluster cluster = cluster(ws, 20, 20);
        assertThat(weighed.choose(req("r", "hot"), cluster, 200)).isEmpty();
        assertThat(weighed.refusalAwaitsRelease()).as("where the copy would go was weighed: time changes it").isFalse();
        assertThat(DemandPolicy.fewestQueuedForAShortLine(9)).isEqualTo(11);
        assertThat(DemandPolicy.fewestQueuedForAShortLine(0)).isEqualTo(1);
    }

    /** {@link #choose}'s policy after it refused with a refusal that stands until a release, within limits. */
    private static DemandPolicy refusing(List<WorkerView> ws, int line, int total, double nowMs) {
        DemandPolicy policy = new DemandPolicy();
        assertThat(policy.choose(req("r", "hot"), cluster(ws, line, total), nowMs)).isEmpty();
        assertThat(policy.refusalAwaitsRelease()).isTrue();
        return policy;
    }

    /**
     * Room for one 100-byte model per worker. Round the ring from "hot": its place P (one slot,
     * busy with another model), then C (idle, holding a cold model), then the holder A (three
     * slots, all running hot). The bound is 1.25 x (4 running + 1) / 3 = 2.08: P is the first
     * worker under it but has no free slot, and no idle worker has room.
     */
    private static List<WorkerView> hotLineAtABusyHolderAndAColdIdleWorker() {
        List<Integer> order = ringOrder("hot", 3);
        int p = order.get(0);
        int c = order.get(1);
        int a = order.get(2);
        List<WorkerView> ws = new ArrayList<>(List.of(new WorkerView(0, 100, 3), new WorkerView(1, 100, 3),
                new WorkerView(2, 100, 3)));
        ws.set(p, new WorkerView(p, 100, 1));
        preload(ws.get(a), "hot");
        for (int i = 0; i < 3; i++) {
            ws.get(a).start(req("running" + i, "hot"), 0);
        }
        ws.get(p).start(req("busy", "other"), 0);
        preload(ws.get(c), "cold");
        return ws;
    }

    @Test
    void buysACopyOnAnIdleWorkerOnceHitsHaveWaitedALoadAtABusyHolder() {
        List<WorkerView> ws = workersWithSlots(4, 10_000, 4);
        int h = placeOf("hot", ws);
        int idle = (h + 1) % 4;
        busyHotHolderAndOneIdle(ws, h, idle);
        Cluster cluster = new Cluster(ws);
        DemandPolicy policy = new DemandPolicy();
        double waitPerHit = ws.get(h).backlogMs(0);
        assertThat(waitPerHit).isPositive();
        long hitsBeforeALoadIsPaid = (long) Math.ceil(req("r", "hot").loadCostMs() / waitPerHit);
        assertThat(hitsBeforeALoadIsPaid).isGreaterThan(1);

        for (long i = 1; i < hitsBeforeALoadIsPaid; i++) {
            assertThat(policy.choose(req("r" + i, "hot"), cluster, 0)).as("hit %d waits at the holder", i)
                    .isEqualTo(OptionalInt.of(h));
        }
        assertThat(policy.choose(req("buy", "hot"), cluster, 0)).as("the waits now add up to a load")
                .isEqualTo(OptionalInt.of(idle));
        assertThat(policy.choose(req("after", "hot"), cluster, 0)).as("the sum starts again").isEqualTo(OptionalInt.of(h));
    }

    @Test
    void buysTheNextCopyWhileTheLastIsStillLoadingOnceItsWaitsPaidOneLoadMore() {
        // Five workers of four slots: the holder runs two hits, two others three invocations of
        // their own, two are idle. A copy costs a load's worth of waits at the holder, and one more
        // load for each copy still loading.
        List<WorkerView> ws = workersWithSlots(5, 10_000, 4);
        int h = placeOf("hot", ws);
        int firstIdle = (h + 1) % 5;
        int secondIdle = (h + 2) % 5;
        preload(ws.get(h), "hot");
        ws.get(h).start(req("a", "hot"), 0);
        ws.get(h).start(req("b", "hot"), 0);
        for (int k = 3; k <= 4; k++) {
            int busy = (h + k) % 5;
            for (int j = 0; j < 3; j++) {
                ws.get(busy).start(req("own" + busy + "-" + j, "own" + busy), 0);
            }
        }
        Cluster cluster = new Cluster(ws);
        DemandPolicy policy = new DemandPolicy();
        int hitsPerCopy = (int) Math.ceil(req("r", "hot").loadCostMs() / ws.get(h).backlogMs(0));
        assertThat(hitsPerCopy).isGreaterThan(1);

        assertThat(firstChoiceElsewhere(policy, cluster, h, "first")).isEqualTo(List.of(hitsPerCopy - 1, firstIdle));
        ws.get(firstIdle).start(req("copy1", "hot"), 0);
        assertThat(cluster.loadingAnywhere("hot")).isTrue();
        assertThat(firstChoiceElsewhere(policy, cluster, h, "second")).as("a copy in flight adds a load to the price")
                .isEqualTo(List.of(2 * hitsPerCopy - 1, secondIdle));
    }

    /**
     * How many hits {@code policy} sends to {@code holder} (requests asked about, not started: each
     * adds the holder's backlog to the waits) before it sends one elsewhere, and where; at most 100.
     */
    private static List<Integer> firstChoiceElsewhere(DemandPolicy policy, Cluster cluster, int holder, String tag) {
        for (int hits = 0; hits < 100; hits++) {
            OptionalInt choice = policy.choose(req(tag + hits, "hot"), cluster, 0);
            if (!choice.equals(OptionalInt.of(holder))) {
                return List.of(hits, choice.orElse(-1));
            }
        }
        return List.of(100, holder);
    }

    @Test
    void buysACopyOnAnIdleWorkerByEvictingOnlyAModelUsedOnceThere() {
        // As above, but the idle worker's memory is full of a model loaded for one call: once the
        // hits have paid a load, the copy evicts it. An idle worker that holds it serves no one.
        IdleHolding pool = idleWorkerHolding("calledOnce", 1);
        List<WorkerView> ws = pool.workers();
        int h = pool.holder();
        int idle = pool.idle();
        DemandPolicy policy = new DemandPolicy();
        long hitsBeforeALoadIsPaid = (long) Math.ceil(req("r", "hot").loadCostMs() / ws.get(h).backlogMs(0));
        assertThat(hitsBeforeALoadIsPaid).isGreaterThan(1);

        assertThat(firstChoiceElsewhere(policy, new Cluster(ws), h, "r"))
                .isEqualTo(List.of((int) hitsBeforeALoadIsPaid - 1, idle));
        assertThat(ws.get(idle).cache().victimsFor(100).orElseThrow()).extracting(e -> e.model())
                .containsExactly("calledOnce");
    }

    @Test
    void buysNoCopyWhereItWouldEvictAModelUsedMoreThanOnceNorForHitsThatDidNotWait() {
        // As above, but the idle worker's model was used twice there: no copy however long the
        // hits wait.
        IdleHolding pool = idleWorkerHolding("resident", 2);
        List<WorkerView> ws = pool.workers();
        int h = pool.holder();
        assertThat(ws.get(pool.idle()).cache().entry("resident").orElseThrow().frequency()).isEqualTo(2);
        DemandPolicy policy = new DemandPolicy();
        for (int i = 0; i < 100; i++) {
            assertThat(policy.choose(req("r" + i, "hot"), new Cluster(ws), 0)).isEqualTo(OptionalInt.of(h));
        }

        // An idle holder: its hits wait for nothing, so nothing adds up.
        List<WorkerView> quiet = workersWithSlots(4, 10_000, 4);
        int holder = placeOf("hot", quiet);
        preload(quiet.get(holder), "hot");
        DemandPolicy fresh = new DemandPolicy();
        for (int i = 0; i < 100; i++) {
            assertThat(fresh.choose(req("q" + i, "hot"), new Cluster(quiet), 0)).isEqualTo(OptionalInt.of(holder));
        }
    }

    /** Four workers as {@link #busyHotHolderAndOneIdle}, the idle one's 100 bytes full of {@code model}. */
    private record IdleHolding(List<WorkerView> workers, int holder, int idle) {}

    /** {@link IdleHolding}: {@code model} loaded on the idle worker and used there {@code uses} times. */
    private static IdleHolding idleWorkerHolding(String model, int uses) {
        List<WorkerView> ws = workersWithSlots(4, 100, 4);
        int h = placeOf("hot", ws);
        int idle = (h + 1) % 4;
        for (int i = 0; i < uses; i++) {
            preload(ws.get(idle), model);
        }
        busyHotHolderAndOneIdle(ws, h, idle);
        return new IdleHolding(ws, h, idle);
    }

    /**
     * Four workers of four slots: the holder {@code h} runs two "hot" hits, the two others run two
     * invocations of their own models, {@code idle} runs nothing. Six running: the bound is
     * ceil(1.25 x 7 / 4) = 3, so {@code h} is under it and takes every hit (rule 1).
     */
    private static void busyHotHolderAndOneIdle(List<WorkerView> ws, int h, int idle) {
        preload(ws.get(h), "hot");
        for (int i = 0; i < ws.size(); i++) {
            if (i != idle) {
                String model = i == h ? "hot" : "own" + i;
                ws.get(i).start(req("a" + i, model), 0);
                ws.get(i).start(req("b" + i, model), 0);
            }
        }
    }

    /**
     * Demand's choice at {@code nowMs} for a "hot" invocation that arrived at 0, with {@code line}
     * of {@code total} waiting invocations in the router's queue.
     */
    private static OptionalInt choose(List<WorkerView> ws, int line, int total, double nowMs) {
        return new DemandPolicy().choose(req("r", "hot"), cluster(ws, line, total), nowMs);
    }

    private static Cluster cluster(List<WorkerView> ws, int line, int total) {
        Cluster cluster = new Cluster(ws);
        cluster.waiting(m -> m.equals("hot") ? line : 0, () -> total);
        return cluster;
    }

    /** The first {@code n} workers clockwise from {@code model}'s hash on the ring. */
    private static List<Integer> ringOrder(String model, int n) {
        HashRing ring = HashRing.forWorkers(null, n);
        int start = ring.positionOf(model);
        List<Integer> order = new ArrayList<>();
        for (int k = 0; order.size() < n; k++) {
            int id = ring.ownerAt(start + k);
            if (!order.contains(id)) {
                order.add(id);
            }
        }
        return order;
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
