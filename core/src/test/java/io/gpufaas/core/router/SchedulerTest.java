package io.gpufaas.core.router;

import static io.gpufaas.core.router.policy.RouterFixtures.preload;
import static io.gpufaas.core.router.policy.RouterFixtures.req;
import static io.gpufaas.core.router.policy.RouterFixtures.workers;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.cache.LruPolicy;
import io.gpufaas.core.cache.ModelCache;
import io.gpufaas.core.router.policy.Assignment;
import io.gpufaas.core.router.policy.Cluster;
import io.gpufaas.core.router.policy.LalbPolicy;
import io.gpufaas.core.router.policy.Request;
import io.gpufaas.core.router.policy.RoutingPolicy;
import io.gpufaas.core.router.policy.WorkerView;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The global queue: per-model lines, arrival order, the out-of-order window. */
class SchedulerTest {

    @Test
    void aBurstOfOneModelDoesNotFillTheOutOfOrderWindow() {
        List<WorkerView> ws = workers(2, 1000);
        preload(ws.get(0), "hot");
        preload(ws.get(1), "b");
        ws.get(0).start(req("busy", "hot"), 0); // the hot model's holder is busy: its line waits
        Scheduler<String> s = new Scheduler<>(LalbPolicy.withOutOfOrder(), ws, 64, 2);
        for (int i = 0; i < 10; i++) {
            s.submit(req("hot" + i, "hot"));
        }
        s.submit(req("b1", "b"));

        // A window of 2 invocations would see hot0 and hot1 only; a window of 2 models sees b1.
        assertThat(s.dispatch(0)).extracting(Assignment::item).containsExactly("b1");
        assertThat(s.queued()).isEqualTo(10);
    }

    /**
     * Refuses model "waiting", which waits for worker 0; sends model "hN" to worker N when it has a
     * free slot. With {@code keepsRefusals}, each refusal stands until a wake that never comes.
     */
    private static final class WaitsForWorkerZero implements RoutingPolicy {
        private final boolean keepsRefusals;
        private int awaited = -1;

        WaitsForWorkerZero() {
            this(false);
        }

        WaitsForWorkerZero(boolean keepsRefusals) {
            this.keepsRefusals = keepsRefusals;
        }

        @Override
        public String name() {
            return "waits-for-worker-0";
        }

        @Override
        public boolean outOfOrder() {
            return true;
        }

        @Override
        public OptionalInt choose(Request<?> request, Cluster cluster, double nowMs) {
            if (request.model().equals("waiting")) {
                awaited = 0;
                return OptionalInt.empty();
            }
            awaited = -1;
            int target = request.model().charAt(1) - '0';
            return cluster.get(target).hasFreeSlot() ? OptionalInt.of(target) : OptionalInt.empty();
        }

        @Override
        public int awaitedWorker() {
            return awaited;
        }

        @Override
        public boolean refusalAwaitsRelease() {
            return keepsRefusals;
        }

        @Override
        public boolean watchRefusal(Request<?> request, Cluster cluster, Cluster.Watcher watcher) {
            return keepsRefusals;
        }
    }

    @Test
    void onlyOvertakesOnTheWorkerTheOldestWaitsForCountAgainstTheBypassBound() {
        List<WorkerView> ws = workers(2, 1000);
        Scheduler<String> s = new Scheduler<>(new WaitsForWorkerZero(), ws, 2, 64);
        s.submit(req("w", "waiting"));
        // Starts on worker 1 take nothing worker 0 could give the oldest: they never stall the queue.
        for (int i = 0; i < 10; i++) {
            s.submit(req("on1-" + i, "h1"));
            assertThat(s.dispatch(i)).extracting(Assignment::item).containsExactly("on1-" + i);
            s.complete(1, "h1");
        }
        // Starts on worker 0 could keep it waiting for good: after two, nothing overtakes it there.
        for (int i = 0; i < 2; i++) {
            s.submit(req("on0-" + i, "h0"));
            assertThat(s.dispatch(10 + i)).extracting(Assignment::item).containsExactly("on0-" + i);
            s.complete(0, "h0");
        }
        s.submit(req("on0-2", "h0"));
        s.submit(req("on1-10", "h1"));
        // Worker 0 is kept for the oldest; worker 1, which it does not wait for, goes on working.
        assertThat(s.dispatch(12)).extracting(Assignment::item).containsExactly("on1-10");
        assertThat(s.queued()).isEqualTo(2);
        s.complete(1, "h1");
        s.submit(req("on1-11", "h1"));
        assertThat(s.dispatch(13)).extracting(Assignment::item).containsExactly("on1-11");
        assertThat(ws.get(0).running()).as("nothing more started on the worker the oldest waits for").isZero();
    }

    @Test
    void overtakesEndOnceTheirWorkReachesTheBoundInMultiplesOfTheWaitingInvocationsOwn() {
        List<WorkerView> ws = workers(2, 1000);
        // The count allows 64 overtakes; the work bound 2 x (100 ms load + 10 ms run) = 220 ms.
        Scheduler<String> s = new Scheduler<>(new WaitsForWorkerZero(), ws, 64, 2.0, 64);
        s.submit(req("w", "waiting"));
        // Expected run times of 100 ms: the third overtake on worker 0 brings the total to 300 ms.
        for (int i = 0; i < 3; i++) {
            s.submit(new Request<>("on0-" + i, "h0", 100, 100, 100, 0));
            assertThat(s.dispatch(i)).extracting(Assignment::item).containsExactly("on0-" + i);
            s.complete(0, "h0");
        }
        s.submit(new Request<>("on0-3", "h0", 100, 100, 1, 0));
        assertThat(s.dispatch(3)).as("nothing overtakes once 300 ms of work has").isEmpty();
        assertThat(s.queued()).isEqualTo(2);
    }

    @Test
    void cheapOvertakesCountLittleAgainstTheWorkBound() {
        List<WorkerView> ws = workers(2, 1000);
        Scheduler<String> s = new Scheduler<>(new WaitsForWorkerZero(), ws, 64, 2.0, 64);
        s.submit(req("w", "waiting"));
        // 40 overtakes of 5 ms each are 200 ms, under the 220 ms bound: all go.
        for (int i = 0; i < 40; i++) {
            s.submit(new Request<>("on0-" + i, "h0", 100, 100, 5, 0));
            assertThat(s.dispatch(i)).extracting(Assignment::item).containsExactly("on0-" + i);
            s.complete(0, "h0");
        }
        assertThat(s.queued()).isEqualTo(1);
    }

    @Test
    void theWorkBoundHoldsOnlyForAnInvocationThatNamesTheWorkerItWaitsFor() {
        List<WorkerView> ws = workers(2, 1000);
        ws.get(0).start(req("busy", "held"), 0); // "held" waits for its busy holder; lalb-o3 names no worker
        Scheduler<String> s = new Scheduler<>(LalbPolicy.withOutOfOrder(), ws, 64, 0.0, 64);
        s.submit(req("w", "held"));
        // A bound of 0 stops every overtake of one that names its worker; these all go.
        for (int i = 0; i < 3; i++) {
            s.submit(new Request<>("o" + i, "o" + i, 100, 100, 100, 0));
            assertThat(s.dispatch(i)).extracting(Assignment::item).containsExactly("o" + i);
            s.complete(1, "o" + i);
        }
        assertThat(s.queued()).isEqualTo(1);
    }

    @Test
    void aSchedulerRefusesANegativeOrInfiniteWorkBound() {
        List<WorkerView> ws = workers(1, 1000);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new Scheduler<>(new WaitsForWorkerZero(), ws, 64, -1, 64));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new Scheduler<>(new WaitsForWorkerZero(), ws, 64, Double.POSITIVE_INFINITY, 64));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new Scheduler<>(new WaitsForWorkerZero(), ws, 64, Double.NaN, 64));
    }

    @Test
    void invocationsOfOneModelLeaveInArrivalOrder() {
        List<WorkerView> ws = workers(1, 1000);
        Scheduler<String> s = new Scheduler<>(LalbPolicy.withOutOfOrder(), ws, 64, 64);
        s.submit(req("a1", "a"));
        s.submit(req("a2", "a"));
        assertThat(s.dispatch(0)).extracting(Assignment::item).containsExactly("a1");
        s.complete(0, "a");
        assertThat(s.dispatch(1)).extracting(Assignment::item).containsExactly("a2");
        assertThat(s.queued()).isZero();
    }

    @Test
    void pendingAndRemovalKeepArrivalOrderAcrossModels() {
        List<WorkerView> ws = workers(1, 1000);
        ws.get(0).start(req("busy", "x"), 0); // no free slot: everything stays queued
        Scheduler<String> s = new Scheduler<>(LalbPolicy.withOutOfOrder(), ws, 64, 64);
        for (String id : List.of("a1", "b1", "a2", "c1", "b2", "a3")) {
            s.submit(req(id, id.substring(0, 1)));
        }
        assertThat(s.pending()).extracting(Request::item).containsExactly("a1", "b1", "a2", "c1", "b2", "a3");

        // Removing a line's head (a1) and a whole line (b) leaves a2 first of its model.
        assertThat(s.removeIf(r -> r.item().equals("a1") || r.model().equals("b")))
                .extracting(Request::item).containsExactly("a1", "b1", "b2");
        assertThat(s.queued()).isEqualTo(3);
        assertThat(s.pending()).extracting(Request::item).containsExactly("a2", "c1", "a3");
        assertThat(s.cluster().waiting("a")).isEqualTo(2);
        assertThat(s.cluster().waiting("b")).isZero();

        s.complete(0, "x");
        assertThat(s.dispatch(1)).extracting(Assignment::item).containsExactly("a2");
    }

    @Test
    void aStandingRefusalWithLimitsIsAskedAgainOnlyOnceALimitIsCrossed() {
        RefusesWithinLimits policy = new RefusesWithinLimits();
        Scheduler<String> s = new Scheduler<>(policy, workers(2, 1000), 64, 8);
        policy.lineAtMost = 1;
        policy.queuedAtLeast = 2;
        policy.untilMs = 100;
        s.submit(req("a1", "a"));
        s.submit(req("b1", "b"));
        s.dispatch(0);
        assertThat(policy.asks).as("both heads asked once").isEqualTo(2);

        s.dispatch(50);
        assertThat(policy.asks).as("within every limit: kept").isEqualTo(2);
        s.dispatch(100);
        assertThat(policy.asks).as("the clock reached the limit: both asked again").isEqualTo(4);

        policy.untilMs = Double.POSITIVE_INFINITY;
        s.dispatch(100);
        s.submit(req("a2", "a"));
        s.dispatch(101);
        assertThat(policy.asks).as("a's line grew past 1: only a1 asked again").isEqualTo(7);

        policy.lineAtMost = Integer.MAX_VALUE;
        s.dispatch(101);
        s.removeIf(r -> r.model().equals("a"));
        s.dispatch(102);
        assertThat(policy.asks).as("the queue fell under 2: b1 asked again").isEqualTo(9);
        assertThat(s.decisions()).as("the scheduler counts every ask").isEqualTo(policy.asks);
        assertThat(s.keptRefusals()).as("b1's, standing while a's line outgrew a1's limit, twice").isEqualTo(2);
    }

    /** Refuses everything, with a refusal that stands until a release, within the limits set. */
    private static final class RefusesWithinLimits implements RoutingPolicy {
        int asks;
        int lineAtMost;
        int queuedAtLeast;
        double untilMs;

        @Override
        public String name() {
            return "refuses-within-limits";
        }

        @Override
        public boolean outOfOrder() {
            return true;
        }

        @Override
        public OptionalInt choose(Request<?> request, Cluster cluster, double nowMs) {
            asks++;
            return OptionalInt.empty();
        }

        @Override
        public boolean refusalAwaitsRelease() {
            return true;
        }

        @Override
        public int refusalStandsWhileLineAtMost() {
            return lineAtMost;
        }

        @Override
        public int refusalStandsWhileQueuedAtLeast() {
            return queuedAtLeast;
        }

        @Override
        public double refusalStandsUntilMs() {
            return untilMs;
        }
    }

    /**
     * A pass that starts an invocation resumes after the candidates whose refusals stood, unless
     * the start itself can end one of them: here starting c1 loads c, which is what a1 waits for,
     * and a1 must be asked again in the same dispatch, however its refusal is kept.
     */
    @ParameterizedTest
    @EnumSource(WaitsForModelC.Kept.class)
    void aStartThatEndsAnEarlierRefusalHasItAskedAgainAtOnce(WaitsForModelC.Kept kept) {
        WaitsForModelC policy = new WaitsForModelC(kept);
        Scheduler<String> s = new Scheduler<>(policy, workers(2, 1000), 64, 8);
        s.submit(req("a1", "a"));
        s.submit(req("b1", "b"));
        s.submit(req("c1", "c"));

        assertThat(s.dispatch(0)).extracting(Assignment::item).containsExactly("c1", "a1");
        assertThat(policy.asksOf("b")).as("b1's refusal stood through both starts").isEqualTo(1);
        assertThat(s.decisions()).as("a1 twice, b1 and c1").isEqualTo(4);
    }

    /**
     * A pass that skips the oldest's standing refusal still keeps the worker it waits for once it
     * may be overtaken no more: h0 overtook w1 (model "waiting") at worker 0, its one overtake
     * allowed, so h0b must not start there in the same dispatch although worker 0 has a slot free
     * and holds h0b.
     */
    @Test
    void aPassThatSkipsTheOldestKeepsTheWorkerItWaitsFor() {
        List<WorkerView> ws = List.of(new WorkerView(0, 2, 2, new ModelCache(1000, new LruPolicy())), new WorkerView(1, 1000, 1));
        preload(ws.get(0), "h0"); // a hit: the start releases nothing
        preload(ws.get(0), "h0b");
        Scheduler<String> s = new Scheduler<>(new WaitsForWorkerZero(true), ws, 1, 8);
        s.submit(req("w1", "waiting"));
        s.submit(req("h0", "h0"));
        s.submit(req("h0b", "h0b"));

        assertThat(s.dispatch(0)).extracting(Assignment::item).containsExactly("h0");
        assertThat(s.queued()).isEqualTo(2);
    }

    /**
     * A quiet end is kept for the next dispatch only while the candidates it looked at stay: once
     * a1 is removed (say, past its deadline), c1 is second, inside a window of two, and is asked.
     */
    @Test
    void removingAWalkedCandidateMakesTheNextDispatchWalkFromTheOldest() {
        WaitsForModelC policy = new WaitsForModelC(WaitsForModelC.Kept.WATCHING_MODEL_C);
        Scheduler<String> s = new Scheduler<>(policy, workers(2, 1000), 64, 2);
        s.submit(req("a1", "a"));
        s.submit(req("b1", "b"));
        s.submit(req("c1", "c"));
        assertThat(s.dispatch(0)).as("c1 is third, outside the window").isEmpty();

        s.removeIf(r -> r.item().equals("a1"));
        assertThat(s.dispatch(1)).extracting(Assignment::item).containsExactly("c1");
    }

    /** A quiet end that rests on a refusal watching no particular release ends at any release. */
    @Test
    void aQuietEndOnARefusalThatWatchesNothingEndsAtAnyRelease() {
        WaitsForModelC policy = new WaitsForModelC(WaitsForModelC.Kept.UNTIL_ANY_RELEASE);
        List<WorkerView> ws = workers(2, 1000);
        Scheduler<String> s = new Scheduler<>(policy, ws, 64, 8);
        s.submit(req("a1", "a"));
        s.submit(req("b1", "b"));
        assertThat(s.dispatch(0)).isEmpty();
        assertThat(s.dispatch(1)).as("quiet: nothing changed").isEmpty();
        assertThat(policy.asksOf("a")).isEqualTo(1);

        preload(ws.get(1), "c"); // a release at worker 1, which a1 does not watch
        assertThat(s.dispatch(2)).extracting(Assignment::item).containsExactly("a1");
        assertThat(policy.asksOf("b")).as("b1 watches its releases: none came").isEqualTo(1);
    }

    /**
     * Sends model "c" to worker 1 and "a" to worker 0 once some worker holds c, refusing it until
     * then with a refusal kept as {@link Kept} says; always refuses "b", with a refusal only a wake
     * it never gets would end.
     */
    static final class WaitsForModelC implements RoutingPolicy {
        enum Kept {
            /** Woken when c is loaded. */
            WATCHING_MODEL_C,
            /** Watching nothing: ended by any release. */
            UNTIL_ANY_RELEASE,
            /** Watching nothing it will be woken by, but standing only while 3 invocations wait. */
            WHILE_THREE_WAIT
        }

        private final Kept kept;
        private final java.util.Map<String, Integer> asks = new java.util.HashMap<>();
        private String lastModel;

        WaitsForModelC(Kept kept) {
            this.kept = kept;
        }

        int asksOf(String model) {
            return asks.getOrDefault(model, 0);
        }

        @Override
        public String name() {
            return "waits-for-model-c";
        }

        @Override
        public boolean outOfOrder() {
            return true;
        }

        @Override
        public OptionalInt choose(Request<?> request, Cluster cluster, double nowMs) {
            lastModel = request.model();
            asks.merge(lastModel, 1, Integer::sum);
            return switch (lastModel) {
                case "c" -> OptionalInt.of(1);
                case "a" -> cluster.holders("c").isEmpty() ? OptionalInt.empty() : OptionalInt.of(0);
                default -> OptionalInt.empty();
            };
        }

        @Override
        public boolean refusalAwaitsRelease() {
            return true;
        }

        @Override
        public int refusalStandsWhileQueuedAtLeast() {
            return lastModel.equals("a") && kept == Kept.WHILE_THREE_WAIT ? 3 : 0;
        }

        @Override
        public boolean watchRefusal(Request<?> request, Cluster cluster, Cluster.Watcher watcher) {
            if (request.model().equals("a") && kept == Kept.WATCHING_MODEL_C) {
                cluster.watchModel("c", watcher);
            }
            return !(request.model().equals("a") && kept == Kept.UNTIL_ANY_RELEASE);
        }
    }
}
