package io.gpufaas.core.router.policy;

import static io.gpufaas.core.router.policy.RouterFixtures.preload;
import static io.gpufaas.core.router.policy.RouterFixtures.req;
import static io.gpufaas.core.router.policy.RouterFixtures.workers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpufaas.core.router.Scheduler;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Hand-computed scenarios on {@link RouterFixtures}. */
class RoutingPolicyTest {

    @Test
    void aHitGoesToTheHolder() {
        List<WorkerView> ws = workers(3, 1000);
        preload(ws.get(2), "a");
        for (String name : List.of("lalb", "lalb-o3", "ect-o3")) {
            assertThat(PolicyName.of(name).create().choose(req("r", "a"), new Cluster(ws), 0)).as(name).isEqualTo(OptionalInt.of(2));
        }
        // Load balancing only: round-robin starts at worker 0 regardless of where the model is.
        assertThat(new RoundRobinPolicy().choose(req("r", "a"), new Cluster(ws), 0)).isEqualTo(OptionalInt.of(0));
    }

    @Test
    void aBusyHolderIsWaitedForOnlyWhileThatBeatsALoadElsewhere() {
        List<WorkerView> ws = workers(2, 1000);
        preload(ws.get(1), "a");
        ws.get(1).start(req("busy", "a"), 0); // worker 1 runs a until t = 10

        // Expected wait 10 ms < load 100 ms: keep waiting for the holder.
        assertThat(new LalbPolicy().choose(req("r", "a"), new Cluster(ws), 0)).isEmpty();
        // A long-running holder (expected wait 400 ms > load 100 ms): load on the free worker.
        List<WorkerView> slow = workers(2, 1000);
        preload(slow.get(1), "a");
        slow.get(1).start(new Request<>("long", "a", 100, 100, 500, 0), 0);
        assertThat(new LalbPolicy().choose(req("r", "a"), new Cluster(slow), 100)).isEqualTo(OptionalInt.of(0));
    }

    @Test
    void placementPrefersFreeMemoryThenTheFewestBytesEvicted() {
        List<WorkerView> ws = workers(3, 250);
        preload(ws.get(0), "x");
        preload(ws.get(0), "y");  // worker 0: 200 of 250 used, a load of 100 evicts 50+ bytes
        preload(ws.get(1), "z");  // worker 1: 100 used, 150 free
        preload(ws.get(2), "u");
        preload(ws.get(2), "v");
        assertThat(new LalbPolicy().choose(req("r", "new"), new Cluster(ws), 0)).isEqualTo(OptionalInt.of(1));

        preload(ws.get(1), "w"); // now every worker must evict 50 bytes; fewest running, lowest id: 0
        assertThat(ws.get(1).evictionCost("new", 100)).isEqualTo(50);
        assertThat(new LalbPolicy().choose(req("r", "new"), new Cluster(ws), 0)).isEqualTo(OptionalInt.of(0));
    }

    @Test
    void modelsInUseAreNeverEvicted() {
        List<WorkerView> ws = workers(1, 150);
        ws.get(0).start(req("running", "a"), 0); // 'a' fills the worker and is running (pinned)
        ws.get(0).complete("a");
        ws.get(0).start(req("running-again", "a"), 0);

        // No free slot anyway; and even with one, nothing evictable leaves room for 'b'.
        assertThat(ws.get(0).evictionCost("b", 100)).isEqualTo(-1);
        for (PolicyName name : PolicyName.values()) {
            assertThat(name.create().choose(req("r", "b"), new Cluster(ws), 0)).as(name.toString()).isEmpty();
        }
    }

    @Test
    void theTunedPolicyRoutesWithItsCurrentCandidateAndKeepsEachOnesState() {
        TunedPolicy tuned = new TunedPolicy();
        assertThat(tuned.current()).isEqualTo(PolicyName.DEMAND);
        assertThat(tuned.outOfOrder()).isTrue();
        tuned.use(PolicyName.LEAST_LOADED);
        assertThat(tuned.outOfOrder()).as("least-loaded dispatches in order").isFalse();
        List<WorkerView> ws = workers(2, 1000);
        ws.get(0).start(req("busy", "a"), 0);
        assertThat(tuned.choose(req("r", "a"), new Cluster(ws), 0)).as("the least loaded, not the holder").hasValue(1);
        assertThatThrownBy(() -> tuned.use(PolicyName.ROUND_ROBIN)).hasMessageContaining("not one of");
        // The tunedPolicy metric documents each candidate by its place in the enum.
        assertThat(List.of(PolicyName.ROUND_ROBIN.ordinal(), PolicyName.LEAST_LOADED.ordinal(), PolicyName.CH_BL.ordinal(),
                PolicyName.LALB.ordinal(), PolicyName.LALB_O3.ordinal(), PolicyName.ECT_O3.ordinal(), PolicyName.DEMAND.ordinal()))
                .containsExactly(0, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void simultaneousFirstRequestsLoadANewModelOnce() {
        Scheduler<String> s = new Scheduler<>(new LalbPolicy(), workers(4, 1000), 8, 16);
        for (int i = 0; i < 4; i++) {
            s.submit(req("r" + i, "new"));
        }
        List<Assignment<String>> first = s.dispatch(0);
        assertThat(first).singleElement().satisfies(a -> assertThat(a.load()).isTrue());
        assertThat(s.queued()).isEqualTo(3);

        s.complete(first.get(0).worker(), "new");
        List<Assignment<String>> next = s.dispatch(110);
        // Now resident on one worker: the next goes there as a hit; the others wait for it rather than
        // loading copies (the expected wait of 10 ms beats a 100 ms load).
        assertThat(next).singleElement().satisfies(a -> {
            assertThat(a.hit()).isTrue();
            assertThat(a.worker()).isEqualTo(first.get(0).worker());
        });
    }

    @Test
    void outOfOrderDispatchRunsOthersWhileTheHeadWaitsUpToTheBypassBound() {
        for (boolean o3 : new boolean[] {false, true}) {
            List<WorkerView> ws = workers(2, 1000);
            preload(ws.get(0), "a");
            preload(ws.get(1), "b");
            ws.get(0).start(req("busy", "a"), 0);
            Scheduler<String> s = new Scheduler<>(o3 ? LalbPolicy.withOutOfOrder() : new LalbPolicy(), ws, 1, 16);
            s.submit(req("a1", "a")); // waits for worker 0
            s.submit(req("b1", "b")); // could run on worker 1 now
            s.submit(req("b2", "b"));

            List<Assignment<String>> out = s.dispatch(0);
            if (o3) {
                assertThat(out).extracting(Assignment::item).containsExactly("b1");
                s.complete(1, "b");
                // a1 has been overtaken once: the bound (1) holds b2 back.
                assertThat(s.dispatch(1)).isEmpty();
            } else {
                assertThat(out).isEmpty();
            }
        }
    }

    @Test
    void consistentHashingKeepsAModelOnOneWorkerWhileItsLoadIsBounded() {
        List<WorkerView> ws = workers(8, 10_000);
        OptionalInt first = new ConsistentHashPolicy(1.25).choose(req("r", "m"), new Cluster(ws), 0);
        ConsistentHashPolicy policy = new ConsistentHashPolicy(1.25);
        assertThat(policy.choose(req("r2", "m"), new Cluster(ws), 0)).isEqualTo(first);
        ws.get(first.getAsInt()).start(req("busy", "m"), 0);
        assertThat(policy.choose(req("r3", "m"), new Cluster(ws), 0)).isPresent().isNotEqualTo(first);
    }

    @Test
    void consistentHashingSpreadsTheRingEvenly() {
        for (int n : new int[] {8, 64, 1000}) {
            double[] shares = new ConsistentHashPolicy(1.25).ringShares(n);
            assertThat(java.util.Arrays.stream(shares).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            // 100 well-mixed virtual nodes each: every worker within a factor of 2 of its fair share
            // (FNV-1a alone gave 8 workers shares of 7.9-45.7%).
            for (double share : shares) {
                assertThat(share * n).isBetween(0.5, 2.0);
            }
        }
    }

    @Test
    void consistentHashingWaitsForAModelsPlaceInsteadOfWalkingTheRing() {
        // Room for one invocation per worker, and the model's place busy but under the bound
        // (8 workers, 7 running: the bound is ceil(1.25 x 8 / 8) = 2): the invocation waits for it.
        List<WorkerView> ws = workers(8, 10_000);
        ConsistentHashPolicy policy = new ConsistentHashPolicy(1.25);
        int home = policy.choose(req("r", "m"), new Cluster(ws), 0).getAsInt();
        for (WorkerView w : ws) {
            if (w.id() != (home + 1) % 8) {
                w.start(req("busy-" + w.id(), "other"), 0);
            }
        }
        assertThat(policy.choose(req("r2", "m"), new Cluster(ws), 0)).isEmpty();
        assertThat(policy.outOfOrder()).isTrue();
    }

    @Test
    void ectSpillsAHotModelOntoAnotherWorkerOnlyWhenQueueingCostsMoreThanALoad() {
        List<WorkerView> ws = workers(2, 1000);
        preload(ws.get(0), "hot");
        ws.get(0).start(new Request<>("long", "hot", 100, 100, 50, 0), 0); // busy until t = 50
        EctPolicy ect = new EctPolicy();

        // Waiting 50 + run 10 = 60 < load 100 + run 10: wait for the holder.
        assertThat(ect.choose(req("r", "hot"), new Cluster(ws), 0)).isEmpty();
        List<WorkerView> slow = workers(2, 1000);
        preload(slow.get(0), "hot");
        slow.get(0).start(new Request<>("long", "hot", 100, 100, 500, 0), 0); // busy until t = 500
        // Waiting 500 > 110: replicate onto the free worker.
        assertThat(ect.choose(req("r", "hot"), new Cluster(slow), 0)).isEqualTo(OptionalInt.of(1));
    }

    @Test
    void ectCountsAHotModelsBacklogWhereLalbOnlySeesItsHoldersWait() {
        List<WorkerView> ws = workers(2, 1000);
        preload(ws.get(0), "hot");
        ws.get(0).start(req("busy", "hot"), 0); // busy until t = 10: always about to be free
        Scheduler<String> lalb = new Scheduler<>(LalbPolicy.withOutOfOrder(), ws, 64, 64);
        for (int i = 0; i < 20; i++) {
            lalb.submit(req("hot" + i, "hot"));
        }
        // Wait 10 ms < load 100 ms: LALB keeps all 20 waiting for the one holder.
        assertThat(lalb.dispatch(0)).isEmpty();

        Scheduler<String> ect = new Scheduler<>(new EctPolicy(), ws, 64, 64);
        for (int i = 0; i < 20; i++) {
            ect.submit(req("hot" + i, "hot"));
        }
        // 19 behind the first need 190 ms of the holder, more than a 100 ms load: a replica.
        assertThat(ect.dispatch(0)).singleElement().satisfies(a -> {
            assertThat(a.worker()).isEqualTo(1);
            assertThat(a.load()).isTrue();
        });
    }

    @Test
    void maxCopiesStopsAHotModelFromSpreadingAndMinCopiesKeepsItsLastCopy() {
        List<WorkerView> ws = workers(2, 200);
        preload(ws.get(0), "hot");
        ws.get(0).start(new Request<>("long", "hot", 100, 100, 500, 0), 0); // holder busy until t = 500
        Scheduler<String> s = new Scheduler<>(new EctPolicy(), ws, 8, 16);
        s.copyLimits(new Scheduler.CopyLimits() {
            @Override
            public int min(String model) {
                return model.equals("hot") ? 1 : 0;
            }

            @Override
            public int max(String model) {
                return model.equals("hot") ? 1 : 0;
            }
        });
        s.submit(req("r", "hot"));
        // ect-o3 alone would replicate onto worker 1 (see above); max 1 copy makes it wait.
        assertThat(s.dispatch(0)).isEmpty();

        s.keepMinimumCopies("hot");
        s.complete(0, "hot");
        assertThat(ws.get(0).isKept("hot")).isTrue();
        // Worker 0 is free, holds 'hot' (kept) and has 100 bytes free: a 150-byte model cannot go there.
        assertThat(ws.get(0).evictionCost("big", 150)).isEqualTo(-1);
        assertThat(s.dispatch(1)).singleElement().satisfies(a -> assertThat(a.worker()).isZero());
    }

    @Test
    void unknownPoliciesAreRejectedByName() {
        assertThatThrownBy(() -> PolicyName.of("random"))
                .hasMessageContaining("known: [round-robin, least-loaded, ch-bl, lalb, lalb-o3, ect-o3, demand, tuned]");
    }
}
