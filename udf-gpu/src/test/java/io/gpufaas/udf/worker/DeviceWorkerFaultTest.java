package io.gpufaas.udf.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.core.contract.SourcePosition;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.udf.FunctionRegistry;
import io.gpufaas.udf.device.ComputeDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Errors in a worker free what they hold; decoded input in memory stays within its bound. */
class DeviceWorkerFaultTest {

    private static Invocation text(String id, String function, String text) {
        return new Invocation(id, function, Payload.text(text), Invocation.NO_DEADLINE, Map.of(),
                new SourcePosition("t", 0, 0, System.currentTimeMillis()));
    }

    private static CompletableFuture<InvocationResult> submit(DeviceWorker worker, Invocation inv) {
        CompletableFuture<InvocationResult> f = new CompletableFuture<>();
        worker.submit(inv, f::complete);
        return f;
    }

    private static InvocationResult run(DeviceWorker worker, Invocation inv) throws Exception {
        return submit(worker, inv).get(30, TimeUnit.SECONDS);
    }

    /** One execution slot: an error that kept it would stop the worker. */
    private static WorkerSettings oneSlot(long maxDecodedBytes) {
        return WorkerSettings.DEFAULTS.withConcurrency(1).withBatching(1, 0).withWarmRestore(false).withMaxDecodedBytes(maxDecodedBytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"oom", "soe", "npe"})
    void anErrorInARunEndsThatInvocationAndTheNextOneRuns(String fault) throws Exception {
        FaultyFunction f = new FaultyFunction("faulty", false);
        AtomicInteger errors = new AtomicInteger();
        try (DeviceWorker worker = new DeviceWorker(0, ComputeDevice.cpu(1_000), new FunctionRegistry(List.of(f)),
                oneSlot(1 << 20), new DeviceWorker.Listener() {
                    @Override
                    public void onError(String model, Throwable error) {
                        errors.incrementAndGet();
                    }
                })) {
            InvocationResult failed = run(worker, text("bad", "faulty", fault));
            assertThat(failed.status()).isEqualTo(ResultStatus.ERROR);
            assertThat(failed.errorCode()).isEqualTo("INTERNAL");
            assertThat(failed.errorMessage()).startsWith("the function failed: ").doesNotContain("\n");

            for (int i = 0; i < 3; i++) {
                assertThat(run(worker, text("ok" + i, "faulty", "fine")).status()).isEqualTo(ResultStatus.OK);
            }
            assertThat(errors).hasValue(1);
            DeviceWorker.Stats stats = worker.stats();
            assertThat(stats.running()).isZero();
            assertThat(stats.queued()).isZero();
            // Unpinned again: the model can be evicted.
            assertThat(worker.evict(List.of("faulty"))).containsExactly("faulty");
        }
    }

    @Test
    void anErrorInALoadFailsItsInvocationsAndOtherModelsStillRun() throws Exception {
        FaultyFunction broken = new FaultyFunction("broken", true);
        FaultyFunction fine = new FaultyFunction("fine", false);
        try (DeviceWorker worker = new DeviceWorker(0, ComputeDevice.cpu(1_000),
                new FunctionRegistry(List.of(broken, fine)), oneSlot(1 << 20), new DeviceWorker.Listener() {})) {
            InvocationResult failed = run(worker, text("b1", "broken", "x"));
            assertThat(failed.status()).isEqualTo(ResultStatus.ERROR);
            assertThat(failed.errorCode()).isEqualTo("MODEL_LOAD_FAILED");
            assertThat(failed.errorMessage()).contains("StackOverflowError");

            assertThat(run(worker, text("f1", "fine", "x")).status()).isEqualTo(ResultStatus.OK);
            assertThat(run(worker, text("b2", "broken", "x")).errorCode()).isEqualTo("MODEL_LOAD_FAILED");
            assertThat(worker.stats().usedBytes()).isEqualTo(10);
        }
    }

    @Test
    void decodedInputBeyondTheBoundWaitsForRunningBatches() throws Exception {
        FaultyFunction f = new FaultyFunction("faulty", false);
        WorkerSettings twoSlots = WorkerSettings.DEFAULTS.withBatching(1, 0).withWarmRestore(false).withMaxDecodedBytes(100);
        try (DeviceWorker worker = new DeviceWorker(0, ComputeDevice.cpu(1_000), new FunctionRegistry(List.of(f)),
                twoSlots, new DeviceWorker.Listener() {})) {
            assertThat(run(worker, text("warm", "faulty", "x")).status()).isEqualTo(ResultStatus.OK);
            // Two 80-byte inputs do not fit a 100-byte bound together: the second waits for the
            // first, and what comes after it waits in order behind it.
            List<CompletableFuture<InvocationResult>> futures = new ArrayList<>();
            futures.add(submit(worker, text("a", "faulty", "wait" + "a".repeat(76))));
            futures.add(submit(worker, text("b", "faulty", "wait" + "b".repeat(76))));
            futures.add(submit(worker, text("c", "faulty", "c".repeat(10))));
            DeviceWorker.Stats whileBlocked = worker.stats();
            assertThat(whileBlocked.running()).isEqualTo(1);
            assertThat(whileBlocked.queued()).isEqualTo(2);
            f.release();
            for (CompletableFuture<InvocationResult> future : futures) {
                assertThat(future.get(30, TimeUnit.SECONDS).status()).isEqualTo(ResultStatus.OK);
            }
            // Never more decoded input at once than the bound: a and b (80 bytes each) did not overlap.
            assertThat(f.mostBytesAtOnce).hasValueLessThanOrEqualTo(100);

            // One input larger than the whole bound still runs, alone.
            assertThat(run(worker, text("huge", "faulty", "h".repeat(500))).status()).isEqualTo(ResultStatus.OK);
        }
    }
}
