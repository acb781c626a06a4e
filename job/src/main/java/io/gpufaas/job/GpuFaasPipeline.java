package io.gpufaas.job;

import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.DecodeLimits;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.RawRecord;
import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.router.Routed;
import io.gpufaas.core.router.RouterSettings;
import io.gpufaas.core.contract.WorkerReport;
import io.gpufaas.operators.decode.DecodeFunction;
import io.gpufaas.operators.router.RouterFunction;
import io.gpufaas.core.router.RouterSignal;
import io.gpufaas.operators.worker.WorkerFunction;
import io.gpufaas.core.contract.WorkerOutput;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.udf.RegistryLoader;
import io.gpufaas.udf.device.DeviceSelector;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The gpufaas dataflow:
 *
 * <pre>
 * control ──broadcast──┐
 * invocations ─► decode+validate ─keyBy(function)─► router (p=1) ─partitionCustom(worker)─► workers ─► results
 *                      └─► dead letters            ▲                                          │
 *                                                  └────────── worker-status topic ◄──────────┘
 * </pre>
 *
 * Sources and sinks are parameters ({@link GpuFaasJob} gives it Kafka's); the tests run the
 * whole job through {@link GpuFaasJob} against a real broker. Every operator has a stable uid, so
 * savepoints survive changes to the graph around it.
 */
public final class GpuFaasPipeline {

    private final Builder b;

    private GpuFaasPipeline(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Adds the pipeline to {@code env}; the caller executes it. */
    public void addTo(StreamExecutionEnvironment env) {
        int workers = b.workerParallelism > 0 ? b.workerParallelism : env.getParallelism();
        BroadcastStream<RawRecord> control = env
                .fromSource(b.controlSource, WatermarkStrategy.noWatermarks(), "control")
                .uid("control-source")
                .setParallelism(1)
                .broadcast(DecodeFunction.DEPLOYMENTS);
        SingleOutputStreamOperator<Invocation> invocations = env
                .fromSource(b.source, WatermarkStrategy.noWatermarks(), "invocations")
                .uid("invocations-source")
                .connect(control)
                .process(new DecodeFunction(b.catalog, b.limits, b.registryLoader))
                .name("decode-validate")
                .uid("decode-validate");

        DataStream<WorkerReport> reports = env
                .fromSource(b.statusSource, WatermarkStrategy.noWatermarks(), "worker-status")
                .uid("worker-status-source")
                .setParallelism(1);
        RouterSettings routerSettings = b.routerSettings.withWorkers(workers);
        // The router's second input: workers' reports, and functions removed on the control topic
        // (whose waiting invocations it ends).
        DataStream<RouterSignal> signals = reports.map(RouterSignal::of).name("reports").uid("reports-signal")
                .setParallelism(1)
                .union(invocations.getSideOutput(DecodeFunction.REMOVALS).map(RouterSignal::removed)
                        .name("removals").uid("removals-signal"));
        // One router subtask holds the global view; the keying gives each function's invocations
        // and reports one order.
        SingleOutputStreamOperator<Routed> router = invocations.keyBy(Invocation::function)
                .connect(signals.keyBy(RouterSignal::function))
                .process(new RouterFunction(routerSettings, b.registryLoader, b.dedupWindow))
                .name("router")
                .uid("router")
                .setParallelism(1)
                .setMaxParallelism(1);
        invocations.getSideOutput(DecodeFunction.DEAD_LETTERS)
                .union(router.getSideOutput(RouterFunction.ROUTER_DEAD_LETTERS))
                .sinkTo(b.deadLetterSink)
                .name("dead-letters")
                .uid("dead-letters-sink");
        DataStream<Routed> routed = router.partitionCustom((worker, partitions) -> worker % partitions, Routed::worker);

        SingleOutputStreamOperator<WorkerOutput> done = AsyncDataStream.unorderedWait(routed,
                        new WorkerFunction(b.registryLoader, b.deviceSelector, b.workerSettings),
                        b.workerSettings.timeoutMs(), TimeUnit.MILLISECONDS, b.workerSettings.queueCapacity())
                .name("worker")
                .uid("worker")
                .setParallelism(workers);

        // Invocations the router ended itself (shed under overload, expired while waiting) are
        // results like any other.
        done.map(WorkerOutput::result).name("results-of").uid("results-of").setParallelism(workers)
                .union(router.getSideOutput(RouterFunction.ROUTER_RESULTS))
                .sinkTo(b.resultSink).name("results").uid("results-sink");
        // One report per batch: the others of a batch carry none.
        done.flatMap((WorkerOutput o, org.apache.flink.util.Collector<WorkerReport> out) -> o.reportIfAny().ifPresent(out::collect))
                .returns(WorkerReport.class)
                .name("reports-of").uid("reports-of").setParallelism(workers)
                .sinkTo(b.statusSink).name("worker-status").uid("worker-status-sink");
    }

    public static final class Builder {
        private Source<RawRecord, ?, ?> source;
        private Sink<InvocationResult> resultSink;
        private Sink<DeadLetter> deadLetterSink;
        private Source<WorkerReport, ?, ?> statusSource;
        private Source<RawRecord, ?, ?> controlSource;
        private Sink<WorkerReport> statusSink;
        private FunctionCatalog catalog;
        private RegistryLoader registryLoader;
        private DeviceSelector deviceSelector;
        private WorkerSettings workerSettings;
        private RouterSettings routerSettings;
        private DecodeLimits limits;
        private int workerParallelism = -1;
        private java.time.Duration dedupWindow = GpuFaasOptions.DEDUP_WINDOW.defaultValue();

        public Builder source(Source<RawRecord, ?, ?> source) {
            this.source = source;
            return this;
        }

        public Builder resultSink(Sink<InvocationResult> sink) {
            this.resultSink = sink;
            return this;
        }

        public Builder deadLetterSink(Sink<DeadLetter> sink) {
            this.deadLetterSink = sink;
            return this;
        }

        /** The router's feedback channel: where workers' reports are written and read back. */
        public Builder statusChannel(Source<WorkerReport, ?, ?> source, Sink<WorkerReport> sink) {
            this.statusSource = source;
            this.statusSink = sink;
            return this;
        }

        /**
         * The control topic: functions deployed and removed while the job runs, read from the
         * model repository the registry loader names.
         */
        public Builder control(Source<RawRecord, ?, ?> source) {
            this.controlSource = source;
            return this;
        }

        /** The deployed functions, as the decoder validates against them. */
        public Builder catalog(FunctionCatalog catalog) {
            this.catalog = catalog;
            return this;
        }

        /** How each worker (and the router, for footprints) loads the functions. */
        public Builder registryLoader(RegistryLoader loader) {
            this.registryLoader = loader;
            return this;
        }

        /** How each worker picks its device ({@link JobSettings#devices}). */
        public Builder deviceSelector(DeviceSelector selector) {
            this.deviceSelector = selector;
            return this;
        }

        /** How each worker runs its device ({@link JobSettings#worker}). */
        public Builder workerSettings(WorkerSettings settings) {
            this.workerSettings = settings;
            return this;
        }

        /** How the router schedules ({@link JobSettings#router}); its worker count is the workers' parallelism. */
        public Builder routerSettings(RouterSettings settings) {
            this.routerSettings = settings;
            return this;
        }

        /** Size limits of the decoder ({@link JobSettings#decode}). */
        public Builder limits(DecodeLimits limits) {
            this.limits = limits;
            return this;
        }

        /** How long accepted invocation ids are remembered to refuse retries; zero for not at all. */
        public Builder dedupWindow(java.time.Duration window) {
            if (window.isNegative()) {
                throw new IllegalArgumentException("the dedup window must not be negative, was " + window);
            }
            this.dedupWindow = window;
            return this;
        }

        /** Worker subtasks; -1 (the default) uses the job's parallelism. */
        public Builder workerParallelism(int parallelism) {
            this.workerParallelism = parallelism;
            return this;
        }

        /** Every setting from one configuration, as {@link JobSettings} builds them. */
        public Builder settings(org.apache.flink.configuration.Configuration conf) {
            return deviceSelector(JobSettings.devices(conf))
                    .workerSettings(JobSettings.worker(conf))
                    .routerSettings(JobSettings.router(conf, 1))
                    .limits(JobSettings.decode(conf))
                    .workerParallelism(conf.get(GpuFaasOptions.WORKER_PARALLELISM))
                    .dedupWindow(conf.get(GpuFaasOptions.DEDUP_WINDOW));
        }

        public GpuFaasPipeline build() {
            Objects.requireNonNull(source, "no source set: call source(...)");
            Objects.requireNonNull(resultSink, "no result sink set: call resultSink(...)");
            Objects.requireNonNull(deadLetterSink, "no dead-letter sink set: call deadLetterSink(...)");
            Objects.requireNonNull(statusSource, "no status source set: call statusChannel(...)");
            Objects.requireNonNull(statusSink, "no status sink set: call statusChannel(...)");
            Objects.requireNonNull(controlSource, "no control source set: call control(...)");
            Objects.requireNonNull(catalog, "no function catalog set: call catalog(...)");
            Objects.requireNonNull(registryLoader, "no registry loader set: call registryLoader(...)");
            Objects.requireNonNull(deviceSelector, "no device selector set: call settings(...) or deviceSelector(...)");
            Objects.requireNonNull(limits, "no decode limits set: call settings(...) or limits(...)");
            Objects.requireNonNull(workerSettings, "no worker settings set: call settings(...) or workerSettings(...)");
            Objects.requireNonNull(routerSettings, "no router settings set: call settings(...) or routerSettings(...)");
            if (catalog.all().isEmpty()) {
                throw new IllegalArgumentException("the function catalog is empty: nothing could be invoked");
            }
            if (workerParallelism == 0 || workerParallelism < -1) {
                throw new IllegalArgumentException("worker parallelism must be positive or -1, was " + workerParallelism);
            }
            return new GpuFaasPipeline(this);
        }
    }
}
