package io.gpufaas.core.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.WorkerReport;
import io.gpufaas.core.router.policy.Assignment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Credits follow the round trip (more while it is all transport, fewer while work queues at the
 * worker), and a long round trip counts as queueing only when the worker's own backlog says so.
 */
class CreditsTest {

    private static final double UNKNOWN = WorkerReport.UNKNOWN_BACKLOG;

    @Test
    void aWorkerWhoseRoundTripIsAllTransportGetsCreditsUpToTheMaximum() {
        Credits credits = new Credits(1, 4, 64);
        int c = 4;
        for (int i = 0; i < 200; i++) {
            c = credits.observe(0, 10, UNKNOWN, 0, 100, c); // every report 10 ms after its dispatch, whatever is out
        }
        assertThat(c).isEqualTo(64);
    }

    @Test
    void aWorkerWhoseRunsQueueKeepsFewCredits() {
        // A GPU running one 20 ms batch at a time behind a 5 ms path: each credit beyond the
        // first adds 20 ms of queueing to the round trip, and the worker reports that backlog.
        Credits credits = new Credits(1, 4, 64);
        int c = 4;
        for (int i = 0; i < 500; i++) {
            c = credits.observe(0, 5 + 20.0 * c, 20.0 * (c - 1), 20, 100, c);
        }
        // The smallest round trip seen already holds the first credits' queueing, so a few more
        // than the minimum look free; no more than that.
        assertThat(c).isBetween(4, 8);
    }

    @Test
    void creditsComeBackDownWhenTheWorkerSlowsAndNeverGoBelowTheMinimum() {
        Credits credits = new Credits(1, 4, 64);
        int c = 4;
        for (int i = 0; i < 200; i++) {
            c = credits.observe(0, 10, 0, 0.05, 100, c);
        }
        assertThat(c).isEqualTo(64);
        for (int i = 0; i < 2_000; i++) {
            c = credits.observe(0, 10 + 20.0 * c, 20.0 * c, 20, 100, c); // now every outstanding invocation queues there
        }
        assertThat(c).isEqualTo(4);
    }

    @Test
    void aLongRoundTripWithoutABacklogAtTheWorkerOpensCreditsInsteadOfClosingThem() {
        // The host is busy: reports come back slower the more is out, but the worker has nothing queued.
        Credits credits = new Credits(1, 4, 64);
        int c = 4;
        for (int i = 0; i < 500; i++) {
            c = credits.observe(0, 2 + 3.0 * c, 0.05, 0.05, 100, c);
        }
        assertThat(c).isEqualTo(64);
    }

    @Test
    void aWorkerWhoseRunsAreLongNextToThePathIsJudgedByItsRoundTrips() {
        // 30 ms per invocation, 4 credits: slower than its credits come back over a 10 ms path,
        // so an empty backlog at report time (a batch took all it had) opens nothing by itself.
        Credits credits = new Credits(1, 4, 64);
        int c = 4;
        for (int i = 0; i < 500; i++) {
            c = credits.observe(0, 10 + 30.0 * c, 0, 30, 100, c);
        }
        assertThat(c).isBetween(4, 8); // as aWorkerWhoseRunsQueueKeepsFewCredits, not the maximum
    }

    @Test
    void withNothingWaitingInTheRouterSuchCreditsStay() {
        Credits credits = new Credits(1, 4, 64);
        int c = 4;
        for (int i = 0; i < 500; i++) {
            c = credits.observe(0, 2 + 3.0 * c, 0.05, 0.05, 0, c);
        }
        assertThat(c).isBetween(4, 6); // only the round trip's own "all transport" growth, at the start
    }

    @Test
    void equalBoundsAreFixedSlots() {
        Credits credits = new Credits(2, 4, 4);
        assertThat(credits.adaptive()).isFalse();
        assertThat(credits.observe(1, 1, 0, 0, 100, 4)).isEqualTo(4);
    }

    /**
     * The failure this design fixes: reports that come back late (a busy host, a slow broker)
     * while the worker has nothing queued. The round trip here grows with every invocation out,
     * as CPU contention made it grow; credits must still open to the maximum.
     */
    @Test
    void aSlowReportPathAloneNeverClosesCredits() {
        double[] now = {0};
        List<Assignment<String>> dispatched = new ArrayList<>();
        Router<String> router = oneEchoWorker(32, now, dispatched);
        for (int i = 0; i < 2_000; i++) {
            router.submit("r" + i, "echo", (long) now[0], Long.MAX_VALUE, 10);
        }
        assertThat(dispatched).hasSize(4);
        int reported = 0;
        int mostOutstanding = 0;
        while (reported < 2_000) {
            int outstanding = dispatched.size() - reported;
            now[0] += 1 + outstanding; // the path slows as more is out
            mostOutstanding = Math.max(mostOutstanding, outstanding);
            for (int k = 0; k < outstanding; k++) {
                router.report(echoReport(reported, now[0], 0.05));
                reported++;
            }
        }
        assertThat(mostOutstanding).isEqualTo(32);
        assertThat(router.credits()).isEqualTo(32);
    }

    @Test
    void aWorkerWithABacklogGetsNoMoreThanAFewCredits() {
        double[] now = {0};
        List<Assignment<String>> dispatched = new ArrayList<>();
        Router<String> router = oneEchoWorker(32, now, dispatched);
        for (int i = 0; i < 500; i++) {
            router.submit("r" + i, "echo", (long) now[0], Long.MAX_VALUE, 10);
        }
        int reported = 0;
        while (reported < 500) {
            int outstanding = dispatched.size() - reported;
            now[0] += 2 + 50 * outstanding; // every invocation out queues 50 ms there, as its report says
            assertThat(outstanding).isLessThanOrEqualTo(8);
            for (int k = 0; k < outstanding; k++) {
                router.report(echoReport(reported, now[0], 50.0 * (outstanding - k)));
                reported++;
            }
        }
        assertThat(router.credits()).isBetween(4, 8);
    }

    private static WorkerReport echoReport(int invocation, double nowMs, double backlogMs) {
        return new WorkerReport(0, "echo", "r" + invocation, 0, 0, 1, List.of(), false, 1L << 30, (long) nowMs)
                .withBacklogMs(backlogMs);
    }

    @Test
    void aBatchReportFreesEverySlotOfItsBatch() {
        double[] now = {0};
        java.util.List<Assignment<String>> dispatched = new java.util.ArrayList<>();
        Router<String> router = oneEchoWorker(4, now, dispatched);
        for (int i = 0; i < 10; i++) {
            router.submit("r" + i, "echo", 0, Long.MAX_VALUE, 10);
        }
        assertThat(dispatched).hasSize(4);
        now[0] = 5;
        router.report(new io.gpufaas.core.contract.WorkerReport(0, "echo", "r3", 0, 1, 1, java.util.List.of(), false,
                1L << 30, 5).withCompleted(3));
        assertThat(dispatched).hasSize(7); // three slots freed by one report, three more dispatched
    }

    /** A router over one worker serving echo, starting at 4 credits and allowed {@code maxSlots}. */
    private static Router<String> oneEchoWorker(int maxSlots, double[] now, java.util.List<Assignment<String>> dispatched) {
        RouterSettings settings = RouterSettings.DEFAULTS.withWorkers(1, 1L << 30).withSlots(4, maxSlots)
                .withOutOfOrder(8, 16).withReportTimeoutMs(60_000).withMaxPending(100_000, 1L << 30);
        return new Router<>(settings, io.gpufaas.core.contract.FunctionCatalog.ofFootprints(java.util.Map.of("echo", 1L)),
                () -> now[0], new Router.Output<>() {
                    @Override
                    public void dispatch(Assignment<String> a) {
                        dispatched.add(a);
                    }

                    @Override
                    public void shed(String item, String why) {}

                    @Override
                    public void expired(String item) {}

                    @Override
                    public void failed(String item, io.gpufaas.core.contract.ErrorCode code, String message) {}
                });
    }
}
