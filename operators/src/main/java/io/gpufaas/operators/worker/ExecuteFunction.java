package io.gpufaas.operators.worker;

import io.gpufaas.core.event.Invocation;
import io.gpufaas.core.event.InvocationResult;
import io.gpufaas.core.event.Placement;
import io.gpufaas.core.event.Timing;
import io.gpufaas.udf.ExecutionOutcome;
import io.gpufaas.udf.FailureCode;
import io.gpufaas.udf.FunctionRegistry;
import io.gpufaas.udf.InferenceFunction;
import io.gpufaas.udf.LoadOutcome;
import io.gpufaas.udf.LoadedModel;
import io.gpufaas.udf.RegistryLoader;
import io.gpufaas.udf.device.ComputeDevice;
import io.gpufaas.udf.device.DeviceSelector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each invocation on this worker's device, loading a function's model on first use and
 * keeping it resident. One result per invocation. Metrics: counters {@code invocationsCompleted},
 * {@code invocationsFailed}, {@code invocationsExpired}, {@code cacheHits}, {@code cacheMisses},
 * {@code bytesLoaded}; gauges {@code deviceMemoryUsedBytes}, {@code deviceMemoryCapacityBytes};
 * histograms {@code loadLatencyMs}, {@code executionLatencyMs}, {@code endToEndLatencyMs}.
 */
public final class ExecuteFunction extends KeyedProcessFunction<String, Invocation, InvocationResult> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ExecuteFunction.class);
    private static final int HISTOGRAM_WINDOW = 1024;

    /** The external resource name the GPU driver is registered under. */
    public static final String GPU_RESOURCE = "gpu";

    private final RegistryLoader registryLoader;
    private final DeviceSelector deviceSelector;

    private transient FunctionRegistry registry;
    private transient ComputeDevice device;
    private transient int worker;
    // Every model ever used stays resident: the bounded cache with eviction replaces this map.
    private transient Map<String, LoadedModel> resident;
    private transient Counter completed;
    private transient Counter failed;
    private transient Counter expired;
    private transient Counter hits;
    private transient Counter misses;
    private transient Counter bytesLoaded;
    private transient Histogram loadLatency;
    private transient Histogram executionLatency;
    private transient Histogram endToEndLatency;

    public ExecuteFunction(RegistryLoader registryLoader, DeviceSelector deviceSelector) {
        this.registryLoader = registryLoader;
        this.deviceSelector = deviceSelector;
    }

    @Override
    public void open(OpenContext openContext) {
        registry = registryLoader.load();
        worker = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        device = deviceSelector.select(worker, visibleGpus());
        LOG.info("worker {} owns device {} ({}, {} bytes)", worker, device.id(), device.name(), device.totalMemoryBytes());
        resident = new HashMap<>();
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        completed = metrics.counter("invocationsCompleted");
        failed = metrics.counter("invocationsFailed");
        expired = metrics.counter("invocationsExpired");
        hits = metrics.counter("cacheHits");
        misses = metrics.counter("cacheMisses");
        bytesLoaded = metrics.counter("bytesLoaded");
        metrics.gauge("deviceMemoryUsedBytes", (Gauge<Long>) this::residentBytes);
        metrics.gauge("deviceMemoryCapacityBytes", (Gauge<Long>) () -> device.totalMemoryBytes());
        loadLatency = metrics.histogram("loadLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        executionLatency = metrics.histogram("executionLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        endToEndLatency = metrics.histogram("endToEndLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }

    /** GPU indexes Flink's external-resource framework gave this task manager (none in a MiniCluster). */
    private List<Integer> visibleGpus() {
        List<Integer> indexes = new ArrayList<>();
        for (ExternalResourceInfo info : getRuntimeContext().getExternalResourceInfos(GPU_RESOURCE)) {
            info.getProperty("index").ifPresent(i -> indexes.add(Integer.parseInt(i)));
        }
        return indexes;
    }

    private long residentBytes() {
        long sum = 0;
        for (LoadedModel m : resident.values()) {
            sum += m.footprint().bytes();
        }
        return sum;
    }

    @Override
    public void processElement(Invocation inv, Context ctx, Collector<InvocationResult> out) {
        long start = System.currentTimeMillis();
        long queued = Math.max(0, start - inv.arrivedAtMs());
        if (inv.hasDeadline() && start > inv.deadlineMs()) {
            expired.inc();
            out.collect(InvocationResult.expired(inv, new Timing(queued, 0, 0, queued),
                    new Placement(worker, device.id(), resident.containsKey(inv.function())), start));
            return;
        }
        LoadedModel model = resident.get(inv.function());
        boolean hit = model != null;
        long loadMs = 0;
        if (hit) {
            hits.inc();
        } else {
            misses.inc();
            Optional<InferenceFunction> function = registry.function(inv.function());
            LoadOutcome loaded = function.isPresent()
                    ? function.get().load(device)
                    // Validated upstream against the same repository: only a redeploy can get here.
                    : LoadOutcome.failed(FailureCode.INTERNAL, "function '" + inv.function() + "' is not deployed on worker " + worker);
            loadMs = (System.currentTimeMillis() - start);
            if (loaded instanceof LoadOutcome.Failed f) {
                fail(inv, f.code(), f.message(), new Timing(queued, loadMs, 0, 0), hit, out);
                return;
            }
            model = ((LoadOutcome.Loaded) loaded).model();
            resident.put(inv.function(), model);
            bytesLoaded.inc(model.footprint().bytes());
            loadLatency.update(loadMs);
        }
        long execStart = System.currentTimeMillis();
        ExecutionOutcome outcome = model.run(inv.input());
        long end = System.currentTimeMillis();
        Timing timing = new Timing(queued, loadMs, end - execStart, Math.max(0, end - inv.arrivedAtMs()));
        executionLatency.update(timing.execMs());
        endToEndLatency.update(timing.endToEndMs());
        if (outcome instanceof ExecutionOutcome.Success s) {
            completed.inc();
            out.collect(InvocationResult.ok(inv, s.outputJson(), timing, new Placement(worker, device.id(), hit), end));
        } else if (outcome instanceof ExecutionOutcome.Failure f) {
            fail(inv, f.code(), f.message(), timing, hit, out);
        }
    }

    private void fail(Invocation inv, FailureCode code, String message, Timing timing, boolean hit,
            Collector<InvocationResult> out) {
        long now = System.currentTimeMillis();
        Timing withEndToEnd = new Timing(timing.queuedMs(), timing.loadMs(), timing.execMs(),
                Math.max(0, now - inv.arrivedAtMs()));
        failed.inc();
        out.collect(InvocationResult.error(inv, code.name(), message, withEndToEnd,
                new Placement(worker, device.id(), hit), now));
    }

    @Override
    public void close() {
        if (resident != null) {
            resident.values().forEach(LoadedModel::close);
            resident.clear();
        }
    }
}
