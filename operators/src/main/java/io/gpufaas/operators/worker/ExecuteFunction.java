package io.gpufaas.operators.worker;

import io.gpufaas.core.event.Invocation;
import io.gpufaas.core.event.InvocationResult;
import io.gpufaas.core.event.Placement;
import io.gpufaas.core.event.Timing;
import io.gpufaas.udf.ExecutionOutcome;
import io.gpufaas.udf.FailureCode;
import io.gpufaas.udf.FunctionRegistry;
import io.gpufaas.udf.InferenceFunction;
import io.gpufaas.udf.RegistryLoader;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Runs each invocation synchronously with the functions of its registry, one result per
 * invocation. Metrics: {@code invocationsCompleted}, {@code invocationsFailed},
 * {@code invocationsExpired}, histograms {@code executionLatencyMs} and {@code endToEndLatencyMs}.
 */
public final class ExecuteFunction extends KeyedProcessFunction<String, Invocation, InvocationResult> {

    private static final long serialVersionUID = 1L;
    private static final int HISTOGRAM_WINDOW = 1024;

    private final RegistryLoader registryLoader;

    private transient FunctionRegistry registry;
    private transient int worker;
    private transient Counter completed;
    private transient Counter failed;
    private transient Counter expired;
    private transient Histogram executionLatency;
    private transient Histogram endToEndLatency;

    public ExecuteFunction(RegistryLoader registryLoader) {
        this.registryLoader = registryLoader;
    }

    @Override
    public void open(OpenContext openContext) {
        registry = registryLoader.load();
        worker = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        completed = metrics.counter("invocationsCompleted");
        failed = metrics.counter("invocationsFailed");
        expired = metrics.counter("invocationsExpired");
        executionLatency = metrics.histogram("executionLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        endToEndLatency = metrics.histogram("endToEndLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }

    @Override
    public void processElement(Invocation inv, Context ctx, Collector<InvocationResult> out) {
        long start = System.currentTimeMillis();
        long queued = Math.max(0, start - inv.arrivedAtMs());
        Placement placement = new Placement(worker, "host", false);
        if (inv.hasDeadline() && start > inv.deadlineMs()) {
            expired.inc();
            out.collect(InvocationResult.expired(inv, new Timing(queued, 0, 0, queued), placement, start));
            return;
        }
        Optional<InferenceFunction> function = registry.function(inv.function());
        ExecutionOutcome outcome = function.isPresent()
                ? function.get().invoke(inv.input())
                // Validated upstream against the same registry: only a redeploy can get here.
                : ExecutionOutcome.failure(FailureCode.INTERNAL, "function '" + inv.function() + "' is not loaded on worker " + worker);
        long end = System.currentTimeMillis();
        Timing timing = new Timing(queued, 0, end - start, Math.max(0, end - inv.arrivedAtMs()));
        executionLatency.update(timing.execMs());
        endToEndLatency.update(timing.endToEndMs());
        if (outcome instanceof ExecutionOutcome.Success s) {
            completed.inc();
            out.collect(InvocationResult.ok(inv, s.outputJson(), timing, placement, end));
        } else if (outcome instanceof ExecutionOutcome.Failure f) {
            failed.inc();
            out.collect(InvocationResult.error(inv, f.code().name(), f.message(), timing, placement, end));
        }
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
    }
}
