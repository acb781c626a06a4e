package io.gpufaas.core.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.WorkerReport;
import io.gpufaas.core.router.policy.Assignment;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Credits follow the worker's own backlog: more while it runs out of work, fewer while work
 * queues there, and nothing else (a slow report path is not queueing).
 */
class CreditsTest {

    @Test
    void aWorkerThatRunsOutOfWorkGetsCreditsUpToTheMaximum() {
        Credits credits = new Credits(4, 64);
        int c = 4;
        for (int i = 0; i < 200; i++) {
            c = credits.observe(0.2, c);
        }
        assertThat(c).isEqualTo(64);
    }

    @Test
    void aWorkerWhoseRunsQueueComesBackToTheMinimumAndNeverBelow() {
        Credits credits = new Credits(4, 64);
        int c = 64;
        for (int i = 0; i < 200; i++) {
            c = credits.observe(40, c); // one queued 20 ms run per credit beyond the device's two
        }
        assertThat(c).isEqualTo(4);
    }

    @Test
    void aBacklogBetweenTheThresholdsHoldsCreditsWhereTheyAre() {
        Credits credits = new Credits(4, 64);
        assertThat(credits.observe(3, 17)).isEqualTo(17);
        assertThat(credits.observe(Credits.LOW_BACKLOG_MS, 17)).isEqualTo(17);
        assertThat(credits.observe(Credits.HIGH_BACKLOG_MS, 17)).isEqualTo(17);
    }

    @Test
    void anUnknownBacklogChangesNothing() {
        Credits credits = new Credits(4, 64);
        assertThat(credits.observe(WorkerReport.UNKNOWN_BACKLOG, 9)).isEqualTo(9);
        assertThat(credits.observe(Double.NaN, 9)).isEqualTo(9);
    }

    @Test
    void equalBoundsAreFixedSlots() {
        Credits credits = new Credits(4, 4);
        assertThat(credits.adaptive()).isFalse();
        assertThat(credits.observe(0, 4)).isEqualTo(4);
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
    void aWorkerWithABacklogGetsNoMoreThanItsMinimum() {
        double[] now = {0};
        List<Assignment<String>> dispatched = new ArrayList<>();
        Router<String> router = oneEchoWorker(32, now, dispatched);
        for (int i = 0; i < 500; i++) {
            router.submit("r" + i, "echo", (long) now[0], Long.MAX_VALUE, 10);
        }
        int reported = 0;
        while (reported < 500) {
            now[0] += 2; // a fast path, but each report says 50 ms of work waits at the worker
            int outstanding = dispatched.size() - reported;
            assertThat(outstanding).isLessThanOrEqualTo(4);
            for (int k = 0; k < outstanding; k++) {
                router.report(echoReport(reported, now[0], 50));
                reported++;
            }
        }
        assertThat(router.credits()).isEqualTo(4);
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
