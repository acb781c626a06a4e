package io.gpufaas.operators.worker;

import io.gpufaas.core.cache.CachedModel;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.ErrorMessages;
import io.gpufaas.core.contract.FatalErrors;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Placement;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.core.contract.Timing;
import io.gpufaas.core.contract.WorkerOutput;
import io.gpufaas.core.contract.WorkerReport;
import io.gpufaas.core.router.Routed;
import io.gpufaas.core.time.Clock;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.operators.metrics.CountOf;
import io.gpufaas.operators.metrics.GpuFaasMetric;
import io.gpufaas.operators.metrics.PerMinute;
import io.gpufaas.udf.FunctionRegistry;
import io.gpufaas.udf.RegistryLoader;
import io.gpufaas.udf.device.ComputeDevice;
import io.gpufaas.udf.device.DeviceSelector;
import io.gpufaas.udf.worker.DeviceWorker;
import io.gpufaas.udf.worker.ParkedModels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker operator: one subtask owns one device and hands invocations to a
 * {@link DeviceWorker}, after executing the router's plan (evict what it says). Each completion
 * yields the result and a {@link WorkerReport} for the router. Run under Flink's async operator, so loads and inference never block the
 * task thread, checkpoints or timers; the operator's capacity bounds in-flight invocations, and
 * back-pressure reaches the Kafka source instead of memory. In-flight invocations are part of the
 * async operator's checkpoint and are re-submitted after a restore.
 *
 * <p>Managed state: the resident models with their statistics ({@code resident-models}) and the
 * eviction policy's state. After a restore the worker reloads those models before it takes
 * traffic (unless disabled), so a failover is not a storm of cold starts.
 *
 * <p>Handling one invocation never fails the job: whatever it throws here or in the worker ends
 * it as an {@code INTERNAL} error result (logged with its id, counted in {@code workerErrors}).
 *
 * <p>Metrics: counters {@code invocationsCompleted}, {@code invocationsFailed},
 * {@code invocationsExpired}, {@code cacheHits}, {@code cacheMisses}, {@code cacheEvictions},
 * {@code modelLoads}, {@code bytesLoaded}, {@code workerErrors}; gauges {@code queueDepth}, {@code inFlight},
 * {@code deviceMemoryUsedBytes}, {@code deviceMemoryCapacityBytes}, {@code residentModels},
 * {@code warmRestoredModels}; histograms {@code loadLatencyMs}, {@code executionLatencyMs},
 * {@code batchSize}, {@code queueWaitMs}, {@code endToEndLatencyMs}.
 */
public final class WorkerFunction extends RichAsyncFunction<Routed, WorkerOutput>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WorkerFunction.class);
    private static final int HISTOGRAM_WINDOW = 1024;
    /** The one clock of this operator: the device worker's, and the timestamps of results made here. */
    private static final Clock CLOCK = Clock.system();
    /**
     * Loaded models between a worker's close and its restart, per job: static, so they live as long
     * as the job's class loader on this task manager (or the JVM, where the job's classes sit on
     * the cluster's classpath, hence the job id).
     */
    private static final ConcurrentMap<JobID, ParkedModels> PARKED = new ConcurrentHashMap<>();

    /** The external resource name the GPU driver is registered under. */
    public static final String GPU_RESOURCE = "gpu";

    private final RegistryLoader registryLoader;
    private final DeviceSelector deviceSelector;
    private final WorkerSettings settings;

    private transient ListState<CachedModel> residentState;
    private transient ListState<Double> policyState;
    private transient List<CachedModel> restoredModels;
    private transient double restoredPolicyState;
    private transient DeviceWorker worker;
    private transient ParkedModels parked;
    private transient int warmRestored;
    private transient Counter completed;
    private transient Counter failed;
    private transient Counter expired;
    private transient Counter workerErrors;
    private transient Histogram endToEnd;
    private transient Histogram queueWait;

    public WorkerFunction(RegistryLoader registryLoader, DeviceSelector deviceSelector, WorkerSettings settings) {
        this.registryLoader = registryLoader;
        this.deviceSelector = deviceSelector;
        this.settings = settings;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        residentState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("resident-models", CachedModel.class));
        policyState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("eviction-policy-state", Double.class));
        restoredModels = new ArrayList<>();
        if (context.isRestored()) {
            residentState.get().forEach(restoredModels::add);
            for (Double d : policyState.get()) {
                restoredPolicyState = Math.max(restoredPolicyState, d);
            }
        }
    }

    @Override
    public void open(OpenContext openContext) {
        int index = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        FunctionRegistry registry = registryLoader.load();
        ComputeDevice device = deviceSelector.select(index, visibleGpus());
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        completed = GpuFaasMetric.INVOCATIONS_COMPLETED.counter(metrics);
        failed = GpuFaasMetric.INVOCATIONS_FAILED.counter(metrics);
        expired = GpuFaasMetric.INVOCATIONS_EXPIRED.counter(metrics);
        workerErrors = GpuFaasMetric.WORKER_ERRORS.counter(metrics);
        Histogram loadLatency = histogram(metrics, GpuFaasMetric.LOAD_LATENCY_MS);
        Histogram executionLatency = histogram(metrics, GpuFaasMetric.EXECUTION_LATENCY_MS);
        Histogram batchSize = histogram(metrics, GpuFaasMetric.BATCH_SIZE);
        endToEnd = histogram(metrics, GpuFaasMetric.END_TO_END_LATENCY_MS);
        queueWait = histogram(metrics, GpuFaasMetric.QUEUE_WAIT_MS);

        worker = new DeviceWorker(index, device, registry, settings, new DeviceWorker.Listener() {
            @Override
            public void onLoad(String model, long millis, long bytes) {
                loadLatency.update(millis);
            }

            @Override
            public void onBatch(String model, int size, long millis) {
                executionLatency.update(millis);
                batchSize.update(size);
            }

            @Override
            public void onError(String model, Throwable error) {
                workerErrors.inc();
            }
        }, CLOCK);
        // The cache's own counts (the ones the simulator reads too), not a second tally.
        GpuFaasMetric.CACHE_HITS.counter(metrics, new CountOf(() -> worker.stats().cache().hits()));
        GpuFaasMetric.CACHE_MISSES.counter(metrics, new CountOf(() -> worker.stats().cache().misses()));
        GpuFaasMetric.CACHE_EVICTIONS.counter(metrics, new CountOf(() -> worker.stats().cache().evictions()));
        GpuFaasMetric.MODEL_LOADS.counter(metrics, new CountOf(() -> worker.stats().cache().loads()));
        GpuFaasMetric.BYTES_LOADED.counter(metrics, new CountOf(() -> worker.stats().cache().bytesLoaded()));
        GpuFaasMetric.CACHE_HIT_RATIO.gauge(metrics, (Gauge<Double>) () -> worker.stats().cache().hitRatio());
        GpuFaasMetric.QUEUE_DEPTH.gauge(metrics, (Gauge<Integer>) () -> worker.stats().queued());
        GpuFaasMetric.IN_FLIGHT.gauge(metrics, (Gauge<Integer>) () -> worker.stats().running());
        GpuFaasMetric.DEVICE_MEMORY_USED_BYTES.gauge(metrics, (Gauge<Long>) () -> worker.stats().usedBytes());
        GpuFaasMetric.DEVICE_MEMORY_CAPACITY_BYTES.gauge(metrics, (Gauge<Long>) device::totalMemoryBytes);
        GpuFaasMetric.RESIDENT_MODELS.gauge(metrics, (Gauge<Integer>) () -> worker.stats().residentModels());
        GpuFaasMetric.WARM_RESTORED_MODELS.gauge(metrics, (Gauge<Integer>) () -> warmRestored);
        GpuFaasMetric.MODEL_LOADS_PER_MINUTE.gauge(metrics, new PerMinute(() -> worker.stats().cache().loads()));
        GpuFaasMetric.EVICTIONS_PER_MINUTE.gauge(metrics, new PerMinute(() -> worker.stats().cache().evictions()));
        GpuFaasMetric.REATTACHED_MODELS.gauge(metrics, (Gauge<Integer>) worker::reattached);

        // Models a closed worker left in this device's memory stay there until the job leaves
        // this task manager: Flink keeps the job's class loader, and so PARKED, until then.
        JobID job = getRuntimeContext().getJobInfo().getJobId();
        parked = PARKED.computeIfAbsent(job, j -> new ParkedModels());
        getRuntimeContext().registerUserCodeClassLoaderReleaseHookIfAbsent("gpufaas-parked-models", () -> {
            ParkedModels left = PARKED.remove(job);
            LOG.info("job {} leaving the task manager: released {} parked models", job, left == null ? 0 : left.releaseAll());
        });
        worker.restorePolicyState(restoredPolicyState);
        // An empty restore still settles what is parked on this device: warmUp releases what it does not take.
        warmRestored = worker.warmUp(settings.warmRestore() ? restoredModels : List.of(), parked).size();
        if (!settings.warmRestore() && !restoredModels.isEmpty()) {
            LOG.info("worker {}: warm restore disabled; {} checkpointed models will load on demand",
                    index, restoredModels.size());
        }
        LOG.info("worker {} owns {} ({}, {} bytes), eviction {}, concurrency {}, max batch {}, out-of-order {}",
                index, device.id(), device.name(), device.totalMemoryBytes(), settings.evictionPolicy(),
                settings.concurrency(), settings.maxBatch(), settings.outOfOrder());
    }

    private static Histogram histogram(MetricGroup metrics, GpuFaasMetric metric) {
        return metric.histogram(metrics, new SynchronizedHistogram(new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW)));
    }

    /** GPU indexes Flink's external-resource framework gave this task manager (none in a MiniCluster). */
    private List<Integer> visibleGpus() {
        List<Integer> indexes = new ArrayList<>();
        for (ExternalResourceInfo info : getRuntimeContext().getExternalResourceInfos(GPU_RESOURCE)) {
            info.getProperty("index").ifPresent(i -> indexes.add(Integer.parseInt(i)));
        }
        return indexes;
    }

    @Override
    public void asyncInvoke(Routed routed, ResultFuture<WorkerOutput> resultFuture) {
        Invocation inv = routed.invocation();
        try {
            if (!routed.evict().isEmpty()) {
                worker.evict(routed.evict());
            }
            worker.submit(inv, (DeviceWorker.Completion) (result, ends) -> complete(result, inv.model(), ends, resultFuture));
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            workerErrors.inc();
            LOG.error("worker: invocation {} of {} could not be submitted", inv.id(), inv.function(), t);
            long now = CLOCK.millis();
            complete(InvocationResult.internalError(inv, "the worker could not take it: " + ErrorMessages.brief(t),
                    Timing.waitedOnly(inv, now), placement(), now), inv.model(), 1, resultFuture);
        }
    }

    /**
     * Emits the result, with the router's report where this completion ends invocations: the last
     * of a batch reports the whole batch (one report per batch, not per invocation), one that ended
     * alone reports itself.
     */
    private void complete(InvocationResult result, String model, int ends, ResultFuture<WorkerOutput> resultFuture) {
        switch (result.status()) {
            case OK -> completed.inc();
            case ERROR -> failed.inc();
            case EXPIRED -> expired.inc();
        }
        endToEnd.update(result.timing().endToEndMs());
        queueWait.update(result.timing().queuedMs());
        resultFuture.complete(List.of(new WorkerOutput(result, ends > 0 ? report(result, model).withCompleted(ends) : null)));
    }

    private Placement placement() {
        return new Placement(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                worker == null ? "" : worker.device().id(), false);
    }

    /**
     * The router's report of {@code model} (the invocation's model key, which the router's slot is
     * held under); without the resident list if reading it fails (the slot must still be freed).
     */
    private WorkerReport report(InvocationResult result, String model) {
        int index = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        try {
            return new WorkerReport(index, model, result.id(), result.timing().loadMs(),
                    result.timing().execMs(), worker.measuredBytes(model), worker.residentModels(),
                    worker.device().totalMemoryBytes(), result.completedAtMs()).withBacklogMs(worker.backlogMs());
        } catch (RuntimeException e) {
            LOG.warn("worker {}: reporting invocation {} without its resident models", index, result.id(), e);
            return new WorkerReport(index, model, result.id(), result.timing().loadMs(),
                    result.timing().execMs(), 0, List.of(), false, 0, result.completedAtMs());
        }
    }

    /** Past the operator's timeout an invocation ends as an ERROR result, never as a failed job. */
    @Override
    public void timeout(Routed routed, ResultFuture<WorkerOutput> resultFuture) {
        Invocation invocation = routed.invocation();
        long now = CLOCK.millis();
        failed.inc();
        InvocationResult result = InvocationResult.error(invocation, ErrorCode.TIMEOUT, "no result within the worker timeout",
                Timing.waitedOnly(invocation, now), placement(), now);
        resultFuture.complete(List.of(new WorkerOutput(result, report(result, invocation.model()))));
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        residentState.update(worker == null ? List.of() : worker.snapshot());
        policyState.update(List.of(worker == null ? 0.0 : worker.policyState()));
    }

    @Override
    public void close() {
        if (worker != null) {
            // A restart of this task opens a new worker on this task manager, which takes back the
            // models its restored state lists; a job that ends releases them through the hook.
            worker.close(parked);
        }
    }
}
