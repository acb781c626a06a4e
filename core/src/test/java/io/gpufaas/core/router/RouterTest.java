package io.gpufaas.core.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.WorkerReport;
import io.gpufaas.core.router.policy.Assignment;
import io.gpufaas.core.router.policy.PolicyName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The router on its own, in virtual time: slots freed by reports, silence, and the eviction policy it plans with. */
class RouterTest {

    /** Models a (60 bytes), b and c (40 each). */
    private static final FunctionCatalog CATALOG = FunctionCatalog.ofFootprints(Map.of("a", 60L, "b", 40L, "c", 40L));

    private double now;
    private final List<Assignment<String>> dispatched = new ArrayList<>();
    private final List<String> ended = new ArrayList<>();
    private int released;

    private Router<String> router(String eviction, int workers, long memory, long reportTimeoutMs) {
        RouterSettings s = RouterSettings.DEFAULTS.withPolicy(PolicyName.LALB).withWorkers(workers, memory).withSlots(1, 1)
                .withOutOfOrder(16, 64).withReportTimeoutMs(reportTimeoutMs).withMaxPending(100, 1L << 30)
                .withEvictionPolicy(eviction);
        return new Router<>(s, CATALOG, () -> now, new Router.Output<>() {
            @Override
            public void dispatch(Assignment<String> a) {
                dispatched.add(a);
            }

            @Override
            public void shed(String item, String why) {
                ended.add("shed " + item);
            }

            @Override
            public void expired(String item) {
                ended.add("expired " + item);
            }

            @Override
            public void failed(String item, io.gpufaas.core.contract.ErrorCode code, String message) {
                ended.add(code + " " + item);
            }

            @Override
            public void slotsReleased(int worker, int n, long silentMs) {
                released += n;
            }
        }, 0);
    }

    /** Submits one invocation of {@code model}, lets it run, and reports it done. */
    private void runOne(Router<String> r, String id, String model) {
        runOne(r, id, model, 3);
    }

    /** The same, its report saying a load took {@code loadMs}. */
    private void runOne(Router<String> r, String id, String model, long loadMs) {
        r.submit(id, model, (long) now, Long.MAX_VALUE, 10);
        Assignment<String> a = dispatched.get(dispatched.size() - 1);
        assertThat(a.item()).isEqualTo(id);
        now += 5;
        r.report(new WorkerReport(a.worker(), model, id, a.load() ? loadMs : 0, 2, 0, List.of(), false, 100, (long) now));
    }

    /** b twice, then a (its load reported as {@code aLoadMs}), then c: what the plan for c evicts. */
    private List<String> evictedForC(String policy, long aLoadMs) {
        dispatched.clear();
        Router<String> r = router(policy, 1, 100, 60_000);
        runOne(r, "1", "b");
        runOne(r, "2", "b");
        runOne(r, "3", "a", aLoadMs);
        runOne(r, "4", "c");
        return dispatched.get(3).evict();
    }

    @Test
    void gdsfChangesTheRoutersPlan() {
        // LRU evicts the least recent (b); GDSF, weighing use against load cost per byte, the
        // model used once (a): the router plans with the configured policy, not always LRU.
        assertThat(evictedForC("lru", 3)).containsExactly("b");
        assertThat(evictedForC("gdsf", 3)).containsExactly("a");
    }

    @Test
    void theEvictionPolicyDecidesTheRoutersPlan() {
        // b twice, then a: the least recently used is b, the least frequently used is a.
        assertThat(evictedForC("lru", 3)).containsExactly("b");
        assertThat(evictedForC("lfu", 3)).containsExactly("a");
    }

    @Test
    void aSlotIsBusyUntilItsReportArrives() {
        Router<String> r = router("lru", 1, 100, 60_000);
        r.submit("x", "a", 0, Long.MAX_VALUE, 10);
        r.submit("y", "a", 0, Long.MAX_VALUE, 10);
        assertThat(dispatched).extracting(Assignment::item).containsExactly("x");
        assertThat(r.pending()).isEqualTo(1);
        assertThat(r.pendingBytes()).isEqualTo(10);

        now = 7; // the worker finished at 5; its report crossed the status topic in 2 ms
        r.report(new WorkerReport(0, "a", "x", 3, 2, 60, List.of("a"), 100, 5));
        assertThat(dispatched).extracting(Assignment::item).containsExactly("x", "y");
        assertThat(dispatched.get(1).hit()).isTrue();
        assertThat(r.pendingBytes()).isZero();
    }

    @Test
    void aModelLargerThanEveryWorkerEndsAtOnceAndBlocksNobody() {
        Router<String> r = router("lru", 2, 100, 60_000);
        r.submit("huge", "z", 0, Long.MAX_VALUE, 10); // declared below, measured above the memory
        r.report(new WorkerReport(0, "z", "earlier", 0, 0, 1_000, List.of(), false, 100, 0));
        assertThat(ended).isEmpty(); // z was thought to fit when it came: it was dispatched
        r.submit("huge-2", "z", 0, Long.MAX_VALUE, 10);
        assertThat(ended).containsExactly("OUT_OF_DEVICE_MEMORY huge-2");
        r.submit("next", "b", 0, Long.MAX_VALUE, 10);
        assertThat(dispatched).extracting(Assignment::item).contains("next");
    }

    @Test
    void waitingInvocationsEndWhenAReportShowsTheirModelCannotFit() {
        Router<String> r = router("lru", 1, 100, 60_000);
        r.submit("x", "b", 0, Long.MAX_VALUE, 10);
        r.submit("z1", "c", 0, Long.MAX_VALUE, 10);
        r.submit("z2", "c", 0, Long.MAX_VALUE, 10);
        assertThat(r.pending()).isEqualTo(2);
        r.report(new WorkerReport(0, "c", "other", 0, 0, 500, List.of(), false, 100, 0));
        assertThat(ended).containsExactly("OUT_OF_DEVICE_MEMORY z1", "OUT_OF_DEVICE_MEMORY z2");
        assertThat(r.pending()).isZero();
        assertThat(r.pendingBytes()).isZero();
    }

    @Test
    void aReportNamingAnotherVersionOfARunningModelStillFreesItsSlot() {
        Router<String> r = router("lru", 1, 100, 60_000);
        r.submit("x", "b", 0, Long.MAX_VALUE, 10);
        r.submit("y", "b", 0, Long.MAX_VALUE, 10);
        assertThat(dispatched).extracting(Assignment::item).containsExactly("x");
        // The worker names the model otherwise (say "b@1"): the slot must come back all the same.
        r.report(new WorkerReport(0, "b@1", "x", 0, 1, 40, List.of(), false, 100, 1));
        assertThat(dispatched).extracting(Assignment::item).containsExactly("x", "y");
        assertThat(r.running()).isEqualTo(1);
    }

    @Test
    void removingAFunctionEndsItsWaitingInvocations() {
        Router<String> r = router("lru", 1, 100, 60_000);
        r.submit("x", "b", 0, Long.MAX_VALUE, 10);
        r.submit("y", "b", 0, 1_000, 10);
        r.submit("z", "c", 0, Long.MAX_VALUE, 10);
        assertThat(r.remove("b"::equals, "removed")).isEqualTo(1);
        assertThat(ended).containsExactly("FUNCTION_REMOVED y");
        assertThat(r.pending()).isEqualTo(1);
        assertThat(r.pendingBytes()).isEqualTo(10);
    }

    @Test
    void aSilentWorkerGetsItsSlotsBackAndDeadlinesPassInVirtualTime() {
        Router<String> r = router("lru", 1, 100, 1_000);
        r.submit("x", "a", 0, Long.MAX_VALUE, 10);
        r.submit("late", "a", 0, 500, 10);
        r.submit("y", "a", 0, Long.MAX_VALUE, 10);
        now = 600;
        r.tick();
        assertThat(ended).containsExactly("expired late");
        now = 1_001;
        r.tick();
        assertThat(released).isEqualTo(1);
        assertThat(dispatched).extracting(Assignment::item).containsExactly("x", "y");
    }
}
