package io.gpufaas.udf.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.cache.CachedModel;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.core.contract.SourcePosition;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.udf.FunctionRegistry;
import io.gpufaas.udf.device.ComputeDevice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A worker running the committed tiny TorchScript models on the CPU device. */
public class DeviceWorkerTest {

    public static final Path REPOSITORY = Path.of("..", "udf-gpu", "src", "test", "resources", "repo");

    // tiny-mlp holds 67 float32 parameters (268 bytes), tiny-cnn 197 (788 bytes).
    static final long BOTH_FIT = 2_000;
    static final long ONE_FITS = 1_000;

    /** The job's defaults (GpuFaasOptions), written out: this module cannot read them. */
    static final WorkerSettings DEFAULTS = WorkerSettings.DEFAULTS;

    private static FunctionRegistry registry;

    @BeforeAll
    static void registry() {
        registry = FunctionRegistry.withRepository(REPOSITORY);
    }

    private static Invocation mlp(String id) {
        return invocation(id, "tiny-mlp", Payload.tensor(new long[] {1, 4}, floats(16)), Invocation.NO_DEADLINE);
    }

    private static Invocation cnn(String id) {
        return invocation(id, "tiny-cnn", Payload.tensor(new long[] {1, 3, 16, 16}, floats(3 * 16 * 16 * 4)),
                Invocation.NO_DEADLINE);
    }

    private static Invocation invocation(String id, String function, Payload input, long deadline) {
        return new Invocation(id, function, input, deadline, Map.of(),
                new SourcePosition("t", 0, 0, System.currentTimeMillis()));
    }

    private static byte[] floats(int bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            b.putFloat(0.25f);
        }
        return b.array();
    }

    private static InvocationResult run(DeviceWorker worker, Invocation inv) throws Exception {
        CompletableFuture<InvocationResult> f = new CompletableFuture<>();
        worker.submit(inv, f::complete);
        return f.get(30, TimeUnit.SECONDS);
    }

    private static DeviceWorker worker(long budget, WorkerSettings settings) {
        return new DeviceWorker(0, ComputeDevice.cpu(budget), registry, settings, new DeviceWorker.Listener() {});
    }

    @Test
    void theFirstInvocationMissesAndLaterOnesHit() throws Exception {
        try (DeviceWorker worker = worker(BOTH_FIT, DeviceWorkerTest.DEFAULTS)) {
            List<InvocationResult> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(run(worker, mlp("m" + i)));
            }
            assertThat(results).extracting(InvocationResult::status).containsOnly(ResultStatus.OK);
            assertThat(results).extracting(r -> r.placement().cacheHit()).containsExactly(false, true, true, true);
            assertThat(results.get(0).timing().loadMs()).isPositive();
            assertThat(results.get(1).timing().loadMs()).isZero();
            assertThat(results.get(0).placement().device()).isEqualTo("cpu:0");
            DeviceWorker.Stats stats = worker.stats();
            assertThat(stats.cache().hits()).isEqualTo(3);
            assertThat(stats.cache().misses()).isEqualTo(1);
            assertThat(stats.cache().loads()).isEqualTo(1);
            assertThat(stats.usedBytes()).isEqualTo(268);
            assertThat(stats.queued()).isZero();
        }
    }

    @Test
    void aNewVersionRunsAndTheOldOneIsUnloadedOnceNothingNeedsIt(@org.junit.jupiter.api.io.TempDir Path repo)
            throws Exception {
        Path mlp = REPOSITORY.resolve("tiny-mlp");
        java.nio.file.Files.createDirectories(repo.resolve("tiny-mlp/1"));
        java.nio.file.Files.createDirectories(repo.resolve("tiny-mlp/2"));
        java.nio.file.Files.copy(mlp.resolve("function.json"), repo.resolve("tiny-mlp/function.json"));
        java.nio.file.Files.copy(mlp.resolve("1/model.pt"), repo.resolve("tiny-mlp/1/model.pt"));
        java.nio.file.Files.copy(mlp.resolve("1/model.pt"), repo.resolve("tiny-mlp/2/model.pt"));
        FunctionRegistry versions = FunctionRegistry.withRepository(repo); // serves version 2, the highest
        try (DeviceWorker worker = new DeviceWorker(0, ComputeDevice.cpu(BOTH_FIT), versions, DEFAULTS,
                new DeviceWorker.Listener() {})) {
            InvocationResult v1 = run(worker, withVersion(mlp("a"), 1)); // accepted before the DEPLOY of 2
            assertThat(v1.placement().version()).isEqualTo(1);
            assertThat(worker.residentModels()).containsExactly("tiny-mlp@1");

            InvocationResult v2 = run(worker, withVersion(mlp("b"), 2));
            assertThat(v2.status()).isEqualTo(ResultStatus.OK);
            assertThat(v2.placement().version()).isEqualTo(2);
            assertThat(v2.placement().cacheHit()).isFalse();
            // Nothing of version 1 is queued or running: it is gone, its memory given back.
            assertThat(worker.residentModels()).containsExactly("tiny-mlp@2");
            assertThat(worker.stats().usedBytes()).isEqualTo(268);

            // A roll-back asks for version 1 again: it is loaded, and version 2 retired in turn.
            assertThat(run(worker, withVersion(mlp("c"), 1)).placement().version()).isEqualTo(1);
            assertThat(worker.residentModels()).containsExactly("tiny-mlp@1");
        }
    }

    private static Invocation withVersion(Invocation inv, int version) {
        return new Invocation(inv.id(), inv.function(), inv.input(), inv.deadlineMs(), inv.metadata(), inv.source(),
                version);
    }

    @Test
    void whenOnlyOneModelFitsAlternatingInvocationsEvict() throws Exception {
        try (DeviceWorker worker = worker(ONE_FITS, DeviceWorkerTest.DEFAULTS)) {
            for (int i = 0; i < 3; i++) {
                assertThat(run(worker, mlp("m" + i)).status()).isEqualTo(ResultStatus.OK);
                assertThat(run(worker, cnn("c" + i)).status()).isEqualTo(ResultStatus.OK);
            }
            DeviceWorker.Stats stats = worker.stats();
            assertThat(stats.cache().misses()).isEqualTo(6);
            assertThat(stats.cache().evictions()).isEqualTo(5);
            assertThat(stats.usedBytes()).isLessThanOrEqualTo(ONE_FITS);
            assertThat(stats.residentModels()).isEqualTo(1);
        }
    }

    @Test
    void aModelLargerThanTheDeviceFailsCleanlyWithoutLoading() throws Exception {
        try (DeviceWorker worker = worker(500, DeviceWorkerTest.DEFAULTS)) {
            // tiny-cnn's archive holds 788 bytes of tensors: refused before loading, the second time too.
            InvocationResult r = run(worker, cnn("c"));
            assertThat(r.status()).isEqualTo(ResultStatus.ERROR);
            assertThat(r.errorCode()).isEqualTo("OUT_OF_DEVICE_MEMORY");
            assertThat(r.errorMessage()).contains("788 bytes uncompressed; device cpu:0 has 500 in all");
            InvocationResult again = run(worker, cnn("c2"));
            assertThat(again.errorCode()).isEqualTo("OUT_OF_DEVICE_MEMORY");
            assertThat(worker.stats().cache().loads()).isZero();
            assertThat(worker.stats().cache().failedLoads()).isEqualTo(1);
            // The worker still serves models that fit.
            assertThat(run(worker, mlp("m")).status()).isEqualTo(ResultStatus.OK);
        }
    }

    @Test
    void anInvocationPastItsDeadlineExpires() throws Exception {
        try (DeviceWorker worker = worker(BOTH_FIT, DeviceWorkerTest.DEFAULTS)) {
            InvocationResult r = run(worker, invocation("late", "tiny-mlp", Payload.tensor(new long[] {1, 4}, floats(16)),
                    System.currentTimeMillis() - 1));
            assertThat(r.status()).isEqualTo(ResultStatus.EXPIRED);
            assertThat(r.errorCode()).isEqualTo("DEADLINE_EXCEEDED");
        }
    }

    @Test
    void aWarmRestoreReloadsTheCheckpointedModelsSoTheFirstInvocationHits() throws Exception {
        List<CachedModel> snapshot;
        try (DeviceWorker before = worker(BOTH_FIT, DeviceWorkerTest.DEFAULTS)) {
            run(before, mlp("m"));
            run(before, cnn("c"));
            run(before, cnn("c2"));
            snapshot = before.snapshot();
        }
        assertThat(snapshot).extracting(CachedModel::model).containsExactlyInAnyOrder("tiny-mlp", "tiny-cnn");

        try (DeviceWorker after = worker(BOTH_FIT, DeviceWorkerTest.DEFAULTS)) {
            assertThat(after.warmUp(snapshot)).containsExactlyInAnyOrder("tiny-mlp", "tiny-cnn");
            InvocationResult r = run(after, cnn("c3"));
            assertThat(r.placement().cacheHit()).isTrue();
            assertThat(after.snapshot()).filteredOn(m -> m.model().equals("tiny-cnn"))
                    .singleElement().satisfies(m -> assertThat(m.frequency()).isEqualTo(3));
        }
    }

    /** A task restarted on the same task manager: its models are still in device memory. */
    @Test
    void aRestartedWorkerTakesItsModelsBackFromDeviceMemoryInsteadOfLoadingThem() throws Exception {
        ParkedModels parked = new ParkedModels();
        DeviceWorker before = worker(BOTH_FIT, DeviceWorkerTest.DEFAULTS);
        run(before, mlp("m"));
        run(before, cnn("c"));
        List<CachedModel> snapshot = before.snapshot();
        before.close(parked);
        assertThat(parked.size()).isEqualTo(2);

        // The restored state lists tiny-mlp only (tiny-cnn came after the checkpoint).
        List<CachedModel> restored = snapshot.stream().filter(m -> m.model().equals("tiny-mlp")).toList();
        try (DeviceWorker after = worker(BOTH_FIT, DeviceWorkerTest.DEFAULTS)) {
            assertThat(after.warmUp(restored, parked)).containsExactly("tiny-mlp");
            assertThat(after.reattached()).isEqualTo(1);
            assertThat(after.stats().cache().loads()).isZero();
            assertThat(after.stats().usedBytes()).isEqualTo(snapshot.stream()
                    .filter(m -> m.model().equals("tiny-mlp")).mapToLong(CachedModel::bytes).sum());
            assertThat(parked.size()).as("what the restored state does not list is released").isZero();
            InvocationResult r = run(after, mlp("m2"));
            assertThat(r.status()).isEqualTo(ResultStatus.OK);
            assertThat(r.placement().cacheHit()).isTrue();
        }
    }

    @Test
    void aSmallerDeviceAfterRestoreReloadsOnlyWhatFits() throws Exception {
        List<CachedModel> snapshot = List.of(new CachedModel("tiny-mlp", 268, 5, 10, 1, 10),
                new CachedModel("tiny-cnn", 788, 1, 1, 1, 1));
        try (DeviceWorker after = worker(ONE_FITS, DeviceWorkerTest.DEFAULTS)) {
            assertThat(after.warmUp(snapshot)).containsExactly("tiny-mlp");
        }
    }

    @Test
    void underConcurrencyBatchingAndEvictionEveryInvocationCompletesExactlyOnce() throws Exception {
        WorkerSettings settings = WorkerSettings.DEFAULTS.withBatching(4, 0).withOutOfOrder(true, 4).withEvictionPolicy("gdsf");
        try (DeviceWorker worker = worker(ONE_FITS, settings)) {
            int n = 200;
            Map<String, Integer> completions = new ConcurrentHashMap<>();
            List<InvocationResult> results = new CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger reports = new java.util.concurrent.atomic.AtomicInteger();
            CompletableFuture<Void> all = new CompletableFuture<>();
            Random random = new Random(1);
            // tiny-mlp resident first, and the burst starts with it: at least one hit and (the
            // first tiny-cnn) one miss, whatever the threads' timing.
            run(worker, mlp("warm-up"));
            for (int i = 0; i < n; i++) {
                Invocation inv = i > 0 && random.nextInt(3) == 0 ? cnn("c" + i) : mlp("m" + i);
                worker.submit(inv, (DeviceWorker.Completion) (r, ends) -> {
                    completions.merge(r.id(), 1, Integer::sum);
                    ended.addAndGet(ends);
                    if (ends > 0) {
                        reports.incrementAndGet();
                    }
                    results.add(r);
                    if (results.size() == n) {
                        all.complete(null);
                    }
                });
            }
            all.get(60, TimeUnit.SECONDS);

            assertThat(completions).hasSize(n);
            assertThat(completions.values()).containsOnly(1);
            // Every invocation is ended for the router exactly once, by one report per batch: with
            // batches of up to 4 under this burst, fewer reports than invocations.
            assertThat(ended.get()).isEqualTo(n);
            assertThat(reports.get()).isLessThan(n).isGreaterThanOrEqualTo(n / 4);
            assertThat(results).extracting(InvocationResult::status).containsOnly(ResultStatus.OK);
            Set<Boolean> hitFlags = new HashSet<>();
            results.forEach(r -> hitFlags.add(r.placement().cacheHit()));
            assertThat(hitFlags).containsExactlyInAnyOrder(true, false);
            DeviceWorker.Stats stats = worker.stats();
            assertThat(stats.cache().hits() + stats.cache().misses()).isEqualTo(n + 1);
            assertThat(stats.usedBytes()).isLessThanOrEqualTo(ONE_FITS);
            assertThat(stats.queued()).isZero();
            assertThat(stats.running()).isZero();
        }
    }
}
