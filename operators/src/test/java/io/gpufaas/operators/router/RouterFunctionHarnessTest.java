package io.gpufaas.operators.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.core.contract.SourcePosition;
import io.gpufaas.core.contract.WorkerReport;
import io.gpufaas.core.router.RecentIds;
import io.gpufaas.core.router.Routed;
import io.gpufaas.core.router.RouterSettings;
import io.gpufaas.core.router.RouterSignal;
import io.gpufaas.core.router.payload.PayloadDecision;
import io.gpufaas.core.router.payload.RouterRequest;
import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.operators.HarnessOutputs;
import io.gpufaas.udf.RegistryLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The router operator in Flink's test harness: plans, reports, and a snapshot restored into a fresh router. */
class RouterFunctionHarnessTest {

    private static final RouterSettings SETTINGS = RouterSettings.DEFAULTS.withPolicy(PolicyName.LALB_O3).withWorkers(2, 10_000).withSlots(1, 1)
                .withOutOfOrder(8, 16).withReportTimeoutMs(60_000).withMaxPending(1_000, 1L << 30);

    private static KeyedTwoInputStreamOperatorTestHarness<String, RouterRequest, RouterSignal, Routed> harness() throws Exception {
        return harness(SETTINGS);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, RouterRequest, RouterSignal, Routed> harness(
            RouterSettings settings) throws Exception {
        // Sweep for expired invocations on every event, so no test waits for the clock.
        RouterFunction router = new RouterFunction(settings, WorkerSettings.DEFAULTS,
                RegistryLoader.repository(Path.of("..", "udf-gpu", "src", "test", "resources", "repo").toAbsolutePath().toString()), 0, 60_000, RecentIds.DEFAULT_MAX_IDS);
        return new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(router),
                RouterRequest::function, RouterSignal::function, Types.STRING);
    }

    private static Invocation inv(String id, String function) {
        return new Invocation(id, function, Payload.text("x"), Invocation.NO_DEADLINE, Map.of(),
                new SourcePosition("t", 0, 0, 1));
    }

    private static StreamRecord<RouterRequest> request(Invocation inv) {
        return new StreamRecord<>(RouterRequest.inline(inv));
    }

    private static WorkerReport report(int worker, String function, String id, List<String> resident) {
        return new WorkerReport(worker, function, id, 5, 2, 268, resident, 10_000, 10);
    }

    private static List<Routed> drain(KeyedTwoInputStreamOperatorTestHarness<String, RouterRequest, RouterSignal, Routed> h) {
        return HarnessOutputs.drain(h);
    }

    /** One worker with one slot, out-of-order dispatch and a queue bounded by {@code maxPending} and {@code maxPendingBytes}. */
    private static RouterSettings oneSlot(int maxPending, long maxPendingBytes) {
        return RouterSettings.DEFAULTS.withPolicy(PolicyName.LALB_O3).withWorkers(1, 10_000).withSlots(1, 1)
                .withOutOfOrder(8, 16).withReportTimeoutMs(60_000).withMaxPending(maxPending, maxPendingBytes);
    }

    @Test
    void plansLoadsThenHitsAndSurvivesARestoreWithItsQueueAndView() throws Exception {
        OperatorSubtaskState snapshot;
        int mlpWorker;
        try (var h = harness()) {
            h.open();
            h.processElement1(request(inv("a1", "tiny-mlp")));
            h.processElement1(request(inv("b1", "tiny-cnn")));
            List<Routed> first = drain(h);
            assertThat(first).extracting(Routed::load).containsExactly(true, true);
            assertThat(first).extracting(Routed::worker).doesNotHaveDuplicates();
            mlpWorker = first.get(0).worker();

            // Both workers busy (one slot each): a2 waits in the router for tiny-mlp's holder.
            h.processElement1(request(inv("a2", "tiny-mlp")));
            assertThat(drain(h)).isEmpty();
            snapshot = h.snapshot(1L, 1L);
        }

        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            // The restored router knows the queue (a2) and where tiny-mlp lives; the next event
            // (a report from the worker, confirming what it holds) lets it dispatch a2 there as a hit.
            h.processElement2(new StreamRecord<>(RouterSignal.of(report(mlpWorker, "tiny-mlp", "a1", List.of("tiny-mlp")))));
            assertThat(drain(h)).singleElement().satisfies(r -> {
                assertThat(r.invocation().id()).isEqualTo("a2");
                assertThat(r.worker()).isEqualTo(mlpWorker);
                assertThat(r.load()).isFalse();
            });
        }
    }

    @Test
    void theTunedPolicyRoutesAndItsReplayThreadEndsWithTheOperator() throws Exception {
        RouterSettings tuned = RouterSettings.DEFAULTS.withPolicy(PolicyName.TUNED).withWorkers(2, 10_000);
        try (var h = harness(tuned)) {
            h.open();
            // Enough arrivals to end epochs: replays start on a thread of the router's own while routing goes on.
            for (int i = 0; i < 600; i++) {
                h.processElement1(request(inv("t" + i, i % 2 == 0 ? "tiny-mlp" : "tiny-cnn")));
            }
            assertThat(drain(h)).as("the first candidate (demand) routes at once").hasSizeGreaterThanOrEqualTo(2);
            assertThat(tunerThreads()).as("replays run on the router's one background thread").isEqualTo(1);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (tunerThreads() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(tunerThreads()).as("closing the operator stops its replay thread").isZero();
    }

    private static long tunerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("gpufaas-policy-tuner")).count();
    }

    @Test
    void beyondItsBoundTheRouterShedsAndWaitingInvocationsPastTheirDeadlineExpire() throws Exception {
        RouterSettings twoWaiting = oneSlot(2, 1L << 30);
        try (var h = harness(twoWaiting)) {
            h.open();
            long now = System.currentTimeMillis();
            // Far enough for the first four to arrive before it passes on a loaded machine (20 ms was
            // not, once: soon-late expired before "shed" came, leaving room for it).
            long soon = now + 300;
            h.processElement1(request(inv("run", "tiny-mlp")));                 // takes the only slot
            h.processElement1(request(withDeadline("wait", now + 60_000)));       // waits
            h.processElement1(request(withDeadline("soon-late", soon)));          // waits; deadline near
            h.processElement1(request(inv("shed", "tiny-mlp")));                // queue full: shed
            h.processElement1(request(withDeadline("past-due", 5)));             // already too late
            assertThat(drain(h)).extracting(r -> r.invocation().id()).containsExactly("run");
            assertThat(routerResults(h)).extracting(InvocationResult::id, InvocationResult::status, InvocationResult::errorCode)
                    .containsExactly(tuple("shed", ResultStatus.ERROR, "OVERLOADED"),
                            tuple("past-due", ResultStatus.EXPIRED, "DEADLINE_EXCEEDED"));

            while (System.currentTimeMillis() <= soon) {
                Thread.onSpinWait(); // the condition itself: soon-late's deadline has to pass
            }
            h.processElement2(new StreamRecord<>(RouterSignal.of(report(0, "tiny-mlp", "run", List.of("tiny-mlp")))));
            assertThat(routerResults(h)).extracting(InvocationResult::id, InvocationResult::status)
                    .containsExactly(tuple("soon-late", ResultStatus.EXPIRED));
            // The freed slot goes to the invocation still in time.
            assertThat(drain(h)).extracting(r -> r.invocation().id()).containsExactly("wait");
        }
    }

    @Test
    void aRetriedIdRunsOnceAndTheRetryIsADuplicateDeadLetter() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement1(request(inv("same", "tiny-mlp")));
            h.processElement1(request(inv("same", "tiny-mlp")));
            h.processElement1(request(inv("other", "tiny-mlp")));
            assertThat(drain(h)).extracting(r -> r.invocation().id()).containsExactly("same");
            assertThat(h.getSideOutput(RouterFunction.ROUTER_DEAD_LETTERS)).singleElement().satisfies(r -> {
                assertThat(r.getValue().reason()).isEqualTo(io.gpufaas.core.contract.ErrorCode.DUPLICATE);
                assertThat(r.getValue().invocationId()).isEqualTo("same");
            });
        }
    }

    @Test
    void acceptedIdsSurviveARestore() throws Exception {
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement1(request(inv("same", "tiny-mlp")));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.processElement1(request(inv("same", "tiny-mlp")));
            h.processElement1(request(inv("new", "tiny-mlp")));
            assertThat(h.getSideOutput(RouterFunction.ROUTER_DEAD_LETTERS)).singleElement()
                    .satisfies(r -> assertThat(r.getValue().invocationId()).isEqualTo("same"));
        }
    }

    @Test
    void aRetryOfAnInvocationShedAsOverloadedIsNoDuplicate() throws Exception {
        RouterSettings oneWaiting = oneSlot(1, 1L << 30);
        try (var h = harness(oneWaiting)) {
            h.open();
            h.processElement1(request(inv("run", "tiny-mlp")));   // takes the only slot
            h.processElement1(request(inv("wait", "tiny-mlp")));  // fills the queue
            h.processElement1(request(inv("again", "tiny-mlp"))); // shed: "retry later"
            h.processElement1(request(inv("again", "tiny-mlp"))); // the retry: shed again, not refused
            assertThat(routerResults(h)).extracting(InvocationResult::id, InvocationResult::errorCode)
                    .containsExactly(tuple("again", "OVERLOADED"), tuple("again", "OVERLOADED"));
            assertThat(h.getSideOutput(RouterFunction.ROUTER_DEAD_LETTERS)).isNull();
            // An accepted one is remembered: its retry is a duplicate.
            h.processElement1(request(inv("wait", "tiny-mlp")));
            assertThat(h.getSideOutput(RouterFunction.ROUTER_DEAD_LETTERS)).singleElement()
                    .satisfies(r -> assertThat(r.getValue().invocationId()).isEqualTo("wait"));
        }
    }

    @Test
    void deadlinesPassOnTheRoutersTimerWithNoOtherRecord() throws Exception {
        try (var h = harness(oneSlot(10, 1L << 30))) {
            h.open();
            long deadline = System.currentTimeMillis() + 20;
            h.processElement1(request(inv("run", "tiny-mlp")));      // takes the only slot
            h.processElement1(request(withDeadline("late", deadline))); // waits
            assertThat(routerResults(h)).isEmpty();
            while (System.currentTimeMillis() <= deadline) {
                Thread.onSpinWait(); // the condition itself: the deadline has to pass
            }
            h.setProcessingTime(h.getProcessingTime() + 1); // only the timer: no invocation, no report
            assertThat(routerResults(h)).extracting(InvocationResult::id, InvocationResult::status)
                    .containsExactly(tuple("late", ResultStatus.EXPIRED));
        }
    }

    @Test
    void aRemovedFunctionsWaitingInvocationsEndAndAModelThatFitsNoWorkerEndsAtOnce() throws Exception {
        // 200 bytes per worker: tiny-mlp (268 bytes) fits none, tiny-cnn does not either; echo does.
        try (var h = harness(RouterSettings.DEFAULTS.withPolicy(PolicyName.DEMAND).withWorkers(1, 200).withSlots(1, 1)
                .withOutOfOrder(8, 16).withReportTimeoutMs(60_000).withMaxPending(10, 1L << 30))) {
            h.open();
            h.processElement1(request(inv("huge", "tiny-mlp")));
            assertThat(routerResults(h)).singleElement().satisfies(r -> {
                assertThat(r.errorCode()).isEqualTo("OUT_OF_DEVICE_MEMORY");
                assertThat(r.errorMessage()).contains("268 bytes").contains("200 bytes");
            });
            h.processElement1(request(inv("e1", "echo")));  // runs: nothing blocks it
            h.processElement1(request(inv("e2", "echo")));  // waits for the slot
            assertThat(drain(h)).extracting(r -> r.invocation().id()).containsExactly("e1");
            h.processElement2(new StreamRecord<>(RouterSignal.removed("echo")));
            assertThat(routerResults(h)).extracting(InvocationResult::id, InvocationResult::errorCode)
                    .containsExactly(tuple("e2", "FUNCTION_REMOVED"));
        }
    }

    private static Invocation withDeadline(String id, long deadlineMs) {
        return new Invocation(id, "tiny-mlp", Payload.text("x"), deadlineMs, Map.of(), new SourcePosition("t", 0, 0, 1));
    }

    private static List<InvocationResult> routerResults(
            KeyedTwoInputStreamOperatorTestHarness<String, RouterRequest, RouterSignal, Routed> h) {
        return HarnessOutputs.drain(h, RouterFunction.ROUTER_RESULTS);
    }

    @Test
    void reportsFreeSlotsAndCorrectTheView() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement1(request(inv("a1", "tiny-mlp")));
            Routed a1 = drain(h).get(0);
            // The worker reports it finished, but holds nothing (e.g. its load failed): the view drops
            // the model, so the next invocation plans a load again instead of a phantom hit.
            h.processElement2(new StreamRecord<>(RouterSignal.of(report(a1.worker(), "tiny-mlp", "a1", List.of()))));
            h.processElement1(request(inv("a2", "tiny-mlp")));
            assertThat(drain(h)).singleElement().satisfies(r -> assertThat(r.load()).isTrue());
        }
    }

    @Test
    void theWaitingQueueIsBoundedInBytesToo() throws Exception {
        RouterSettings tenKilobytes = oneSlot(1_000, 10_000);
        try (var h = harness(tenKilobytes)) {
            h.open();
            h.processElement1(request(large("run", 6_000)));    // takes the only slot
            h.processElement1(request(large("wait", 6_000)));   // waits: ~6 KB held
            h.processElement1(request(large("shed", 6_000)));   // would hold ~12 KB: shed
            h.processElement1(request(large("small", 100)));    // fits beside it
            assertThat(drain(h)).extracting(r -> r.invocation().id()).containsExactly("run");
            assertThat(routerResults(h)).singleElement().satisfies(r -> {
                assertThat(r.id()).isEqualTo("shed");
                assertThat(r.errorCode()).isEqualTo("OVERLOADED");
                assertThat(r.errorMessage()).contains("bytes");
            });
            h.processElement2(new StreamRecord<>(RouterSignal.of(report(0, "tiny-mlp", "run", List.of("tiny-mlp")))));
            assertThat(drain(h)).extracting(r -> r.invocation().id()).containsExactly("wait");
            // Dispatched invocations no longer count: a large one is taken again.
            h.processElement1(request(large("again", 6_000)));
            assertThat(routerResults(h)).isEmpty();
        }
    }

    @Test
    void aReportWithoutItsResidentListFreesTheSlotAndKeepsTheView() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement1(request(inv("a1", "tiny-mlp")));
            Routed a1 = drain(h).get(0);
            h.processElement2(new StreamRecord<>(RouterSignal.of(report(a1.worker(), "tiny-mlp", "a1", List.of()).withoutResidentList())));
            h.processElement1(request(inv("a2", "tiny-mlp")));
            assertThat(drain(h)).singleElement().satisfies(r -> {
                assertThat(r.worker()).isEqualTo(a1.worker());
                assertThat(r.load()).isFalse();
            });
        }
    }

    /** {@code inv} as the split sends it when its payload goes around the router: no bytes, its size kept. */
    private static StreamRecord<RouterRequest> detached(Invocation inv, long sizeBytes) {
        RouterRequest req = RouterRequest.detached(inv, "key-" + inv.id());
        return new StreamRecord<>(new RouterRequest(req.invocation(), req.payloadKey(), sizeBytes));
    }

    private static List<PayloadDecision> decisions(KeyedTwoInputStreamOperatorTestHarness<String, RouterRequest, RouterSignal, Routed> h) {
        return HarnessOutputs.drain(h, RouterFunction.PAYLOAD_DECISIONS);
    }

    @Test
    void aDetachedInvocationIsDecidedForTheJoinAndEveryEndReleasesItsPayload() throws Exception {
        RouterSettings tenKilobytes = oneSlot(1_000, 10_000);
        try (var h = harness(tenKilobytes)) {
            h.open();
            h.processElement1(detached(inv("run", "tiny-mlp"), 6_000));   // takes the only slot
            assertThat(drain(h)).as("nothing for the workers directly").isEmpty();
            assertThat(decisions(h)).singleElement().satisfies(d -> {
                assertThat(d.key()).isEqualTo("key-run");
                assertThat(d.routed().invocation().id()).isEqualTo("run");
                assertThat(d.routed().worker()).isZero();
            });
            // Its declared size counts in the bytes waiting though its bytes are elsewhere.
            h.processElement1(detached(inv("wait", "tiny-mlp"), 6_000));  // waits: ~6 KB held
            h.processElement1(detached(inv("shed", "tiny-mlp"), 6_000));  // would hold ~12 KB: shed
            assertThat(routerResults(h)).extracting(InvocationResult::id, InvocationResult::errorCode)
                    .containsExactly(tuple("shed", "OVERLOADED"));
            assertThat(decisions(h)).singleElement().satisfies(d -> {
                assertThat(d.key()).isEqualTo("key-shed");
                assertThat(d.routed()).isNull();
                assertThat(d.deadLetterOf()).isNull();
            });
            // A retry of an accepted id: the join writes the dead letter, payload and all.
            h.processElement1(detached(inv("run", "tiny-mlp"), 6_000));
            assertThat(h.getSideOutput(RouterFunction.ROUTER_DEAD_LETTERS)).isNull();
            assertThat(decisions(h)).singleElement().satisfies(d -> {
                assertThat(d.deadLetterOf().id()).isEqualTo("run");
                assertThat(d.deadLetterCode()).isEqualTo(io.gpufaas.core.contract.ErrorCode.DUPLICATE);
            });
            // The slot frees: the waiting one is decided for its worker.
            h.processElement2(new StreamRecord<>(RouterSignal.of(report(0, "tiny-mlp", "run", List.of("tiny-mlp")))));
            assertThat(decisions(h)).extracting(d -> d.routed().invocation().id()).containsExactly("wait");
        }
    }

    @Test
    void aDetachedInvocationWaitingAtACheckpointIsStillDetachedAfterTheRestore() throws Exception {
        OperatorSubtaskState snapshot;
        RouterSettings tenKilobytes = oneSlot(1_000, 10_000);
        try (var h = harness(tenKilobytes)) {
            h.open();
            h.processElement1(request(inv("run", "tiny-mlp")));
            h.processElement1(detached(inv("wait", "tiny-mlp"), 6_000));
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(tenKilobytes)) {
            h.initializeState(snapshot);
            h.open();
            // Its 6 KB still count: another 6 KB would pass the 10 KB bound.
            h.processElement1(detached(inv("shed", "tiny-mlp"), 6_000));
            assertThat(routerResults(h)).extracting(InvocationResult::id).containsExactly("shed");
            h.processElement2(new StreamRecord<>(RouterSignal.of(report(0, "tiny-mlp", "run", List.of("tiny-mlp")))));
            assertThat(decisions(h)).extracting(PayloadDecision::key).containsExactly("key-shed", "key-wait");
        }
    }

    private static Invocation large(String id, int bytes) {
        return new Invocation(id, "tiny-mlp", Payload.text("x".repeat(bytes)), Invocation.NO_DEADLINE, Map.of(),
                new SourcePosition("t", 0, 0, 1));
    }
}
