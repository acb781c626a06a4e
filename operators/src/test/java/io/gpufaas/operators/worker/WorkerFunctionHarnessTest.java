package io.gpufaas.operators.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.core.contract.SourcePosition;
import io.gpufaas.core.contract.WorkerOutput;
import io.gpufaas.core.router.Routed;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.udf.FunctionRegistry;
import io.gpufaas.udf.RegistryLoader;
import io.gpufaas.udf.device.DeviceSelector;
import io.gpufaas.udf.worker.DeviceWorkerTest;
import io.gpufaas.udf.worker.FaultyFunction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The worker operator in Flink's test harness: snapshot, restore into a fresh operator, warm reload. */
class WorkerFunctionHarnessTest {

    private static final String REPO = DeviceWorkerTest.REPOSITORY.toAbsolutePath().toString();

    private static OneInputStreamOperatorTestHarness<Routed, WorkerOutput> harness(boolean warmRestore)
            throws Exception {
        WorkerSettings settings = WorkerSettings.DEFAULTS.withBatching(4, 0).withOutOfOrder(true, 8).withWarmRestore(warmRestore);
        WorkerFunction function = new WorkerFunction(RegistryLoader.repository(REPO),
                new DeviceSelector(DeviceSelector.Preference.CPU, 10_000), settings);
        return new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(function, 60_000, 16, AsyncDataStream.OutputMode.UNORDERED),
                TypeInformation.of(Routed.class).createSerializer(new SerializerConfigImpl()));
    }

    private static Routed mlp(String id) {
        return new Routed(invocation(id), 0, false, List.of());
    }

    private static Invocation invocation(String id) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(1).putFloat(2).putFloat(3).putFloat(4);
        return new Invocation(id, "tiny-mlp", Payload.tensor(new long[] {1, 4}, b.array()), Invocation.NO_DEADLINE,
                Map.of(), new SourcePosition("t", 0, 0, System.currentTimeMillis()));
    }

    private static List<InvocationResult> results(OneInputStreamOperatorTestHarness<Routed, WorkerOutput> h) {
        List<InvocationResult> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                WorkerOutput done = (WorkerOutput) r.getValue();
                assertThat(done.report().invocationId()).isEqualTo(done.result().id());
                out.add(done.result());
            }
        }
        return out;
    }

    private static OperatorSubtaskState runOnceAndSnapshot() throws Exception {
        try (OneInputStreamOperatorTestHarness<Routed, WorkerOutput> h = harness(true)) {
            h.open();
            h.processElement(new StreamRecord<>(mlp("before"), 1));
            h.endInput();
            assertThat(results(h)).singleElement().satisfies(r -> {
                assertThat(r.status()).isEqualTo(ResultStatus.OK);
                assertThat(r.placement().cacheHit()).isFalse();
            });
            return h.snapshot(1L, 2L);
        }
    }

    @Test
    void aRestoredWorkerReloadsItsModelsBeforeTakingTraffic() throws Exception {
        OperatorSubtaskState snapshot = runOnceAndSnapshot();

        try (OneInputStreamOperatorTestHarness<Routed, WorkerOutput> h = harness(true)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(new StreamRecord<>(mlp("after"), 3));
            h.endInput();
            assertThat(results(h)).singleElement().satisfies(r -> assertThat(r.placement().cacheHit()).isTrue());
        }
    }

    @Test
    void withWarmRestoreOffTheFirstInvocationAfterARestoreMisses() throws Exception {
        OperatorSubtaskState snapshot = runOnceAndSnapshot();

        try (OneInputStreamOperatorTestHarness<Routed, WorkerOutput> h = harness(false)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(new StreamRecord<>(mlp("after"), 3));
            h.endInput();
            assertThat(results(h)).singleElement().satisfies(r -> assertThat(r.placement().cacheHit()).isFalse());
        }
    }

    @Test
    void anErrorInTheWorkerEndsItsInvocationWithAReportAndTheNextOneRuns() throws Exception {
        // One execution slot: an Error that kept it would stop the worker.
        WorkerSettings oneSlot = WorkerSettings.DEFAULTS.withConcurrency(1).withBatching(1, 0).withOutOfOrder(true, 8).withWarmRestore(false);
        WorkerFunction function = new WorkerFunction(() -> new FunctionRegistry(List.of(new FaultyFunction("faulty", false))),
                new DeviceSelector(DeviceSelector.Preference.CPU, 10_000), oneSlot);
        try (OneInputStreamOperatorTestHarness<Routed, WorkerOutput> h = new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(function, 60_000, 16, AsyncDataStream.OutputMode.ORDERED),
                TypeInformation.of(Routed.class).createSerializer(new SerializerConfigImpl()))) {
            h.open();
            for (String text : List.of("oom", "soe", "fine")) {
                Invocation inv = new Invocation(text, "faulty", Payload.text(text), Invocation.NO_DEADLINE, Map.of(),
                        new SourcePosition("t", 0, 0, System.currentTimeMillis()));
                h.processElement(new StreamRecord<>(new Routed(inv, 0, true, List.of()), 1));
            }
            h.endInput();
            // Every one has its report, so the router gets each slot back.
            assertThat(results(h)).extracting(InvocationResult::id, InvocationResult::status, InvocationResult::errorCode)
                    .containsExactly(org.assertj.core.api.Assertions.tuple("oom", ResultStatus.ERROR, "INTERNAL"),
                            org.assertj.core.api.Assertions.tuple("soe", ResultStatus.ERROR, "INTERNAL"),
                            org.assertj.core.api.Assertions.tuple("fine", ResultStatus.OK, ""));
        }
    }
}
