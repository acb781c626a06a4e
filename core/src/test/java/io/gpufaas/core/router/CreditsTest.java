package io.gpufaas.core.router;

import io.gpufaas.core.router.policy.Assignment;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Credits follow the round trip: more while it is all transport, fewer while work queues at the worker. */
class CreditsTest {

    @Test
    void aWorkerWhoseRoundTripIsAllTransportGetsCreditsUpToTheMaximum() {
        Credits credits = new Credits(1, 4, 64);
        int c = 4;
        for (int i = 0; i < 200; i++) {
            c = credits.observe(0, 10, c); // every report 10 ms after its dispatch, whatever is outstanding
        }
        assertThat(c).isEqualTo(64);
    }

    @Test
    void aWorkerWhoseRunsQueueKeepsFewCredits() {
        // A GPU running one 20 ms batch at a time behind a 5 ms path: each credit beyond the
        // first adds 20 ms of queueing to the round trip.
        Credits credits = new Credits(1, 4, 64);
        int c = 4;
        for (int i = 0; i < 500; i++) {
            c = credits.observe(0, 5 + 20.0 * c, c);
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
            c = credits.observe(0, 10, c);
        }
        assertThat(c).isEqualTo(64);
        for (int i = 0; i < 2_000; i++) {
            c = credits.observe(0, 10 + 20.0 * c, c); // now every outstanding invocation queues
        }
        assertThat(c).isEqualTo(4);
    }

    @Test
    void equalBoundsAreFixedSlots() {
        Credits credits = new Credits(2, 4, 4);
        assertThat(credits.adaptive()).isFalse();
        assertThat(credits.observe(1, 1, 4)).isEqualTo(4);
    }

    @Test
    void theRouterLetsAFastWorkerHoldMoreThanItsStartingSlots() {
        double[] now = {0};
        java.util.List<Assignment<String>> dispatched = new java.util.ArrayList<>();
        Router<String> router = oneEchoWorker(32, now, dispatched);
        for (int i = 0; i < 1_000; i++) {
            router.submit("r" + i, "echo", (long) now[0], Long.MAX_VALUE, 10);
        }
        assertThat(dispatched).hasSize(4);
        // Reports come back 2 ms after each dispatch, however many are outstanding: transport only.
        int reported = 0;
        int mostOutstanding = 0;
        while (reported < 1_000) {
            now[0] += 2;
            int outstanding = dispatched.size() - reported;
            mostOutstanding = Math.max(mostOutstanding, outstanding);
            for (int k = 0; k < outstanding; k++) {
                router.report(new io.gpufaas.core.contract.WorkerReport(0, "echo", "r" + reported, 0, 0, 1,
                        java.util.List.of(), false, 1L << 30, (long) now[0]));
                reported++;
            }
        }
        assertThat(mostOutstanding).isEqualTo(32);
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
