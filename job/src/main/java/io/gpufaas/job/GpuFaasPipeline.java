package io.gpufaas.job;

import io.gpufaas.core.event.DeadLetter;
import io.gpufaas.core.event.DecodeLimits;
import io.gpufaas.core.event.Invocation;
import io.gpufaas.core.event.InvocationResult;
import io.gpufaas.core.event.RawRecord;
import io.gpufaas.core.function.FunctionCatalog;
import io.gpufaas.operators.decode.DecodeFunction;
import io.gpufaas.operators.worker.WorkerFunction;
import io.gpufaas.operators.worker.WorkerSettings;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import io.gpufaas.udf.RegistryLoader;
import io.gpufaas.udf.device.DeviceSelector;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The gpufaas dataflow: source, decode and validate, route, execute, sinks. Sources and sinks are
 * parameters so tests run exactly this pipeline with their own I/O. Every operator has a stable
 * uid, so savepoints survive changes to the graph around it.
 */
public final class GpuFaasPipeline {

    private final Source<RawRecord, ?, ?> source;
    private final Sink<InvocationResult> resultSink;
    private final Sink<DeadLetter> deadLetterSink;
    private final FunctionCatalog catalog;
    private final RegistryLoader registryLoader;
    private final DeviceSelector deviceSelector;
    private final WorkerSettings workerSettings;
    private final int queueCapacity;
    private final Duration workerTimeout;
    private final DecodeLimits limits;
    private final int workerParallelism;

    private GpuFaasPipeline(Builder b) {
        this.source = b.source;
        this.resultSink = b.resultSink;
        this.deadLetterSink = b.deadLetterSink;
        this.catalog = b.catalog;
        this.registryLoader = b.registryLoader;
        this.deviceSelector = b.deviceSelector;
        this.workerSettings = b.workerSettings;
        this.queueCapacity = b.queueCapacity;
        this.workerTimeout = b.workerTimeout;
        this.limits = b.limits;
        this.workerParallelism = b.workerParallelism;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Adds the pipeline to {@code env}; the caller executes it. */
    public void addTo(StreamExecutionEnvironment env) {
        SingleOutputStreamOperator<Invocation> invocations = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "invocations")
                .uid("invocations-source")
                .process(new DecodeFunction(catalog, limits))
                .name("decode-validate")
                .uid("decode-validate");

        // Placeholder routing: every invocation of a function goes to the same worker.
        SingleOutputStreamOperator<InvocationResult> results = AsyncDataStream.unorderedWait(
                        invocations.keyBy(Invocation::function),
                        new WorkerFunction(registryLoader, deviceSelector, workerSettings),
                        workerTimeout.toMillis(), TimeUnit.MILLISECONDS, queueCapacity)
                .name("worker")
                .uid("worker");
        if (workerParallelism > 0) {
            results.setParallelism(workerParallelism);
        }

        results.sinkTo(resultSink).name("results").uid("results-sink");
        invocations.getSideOutput(DecodeFunction.DEAD_LETTERS)
                .sinkTo(deadLetterSink)
                .name("dead-letters")
                .uid("dead-letters-sink");
    }

    public static final class Builder {
        private Source<RawRecord, ?, ?> source;
        private Sink<InvocationResult> resultSink;
        private Sink<DeadLetter> deadLetterSink;
        private FunctionCatalog catalog;
        private RegistryLoader registryLoader;
        private DeviceSelector deviceSelector = new DeviceSelector(DeviceSelector.Preference.AUTO, 2L << 30);
        private WorkerSettings workerSettings = WorkerSettings.defaults();
        private int queueCapacity = 256;
        private Duration workerTimeout = Duration.ofMinutes(10);
        private DecodeLimits limits = DecodeLimits.defaults();
        private int workerParallelism = -1;

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

        /** The deployed functions, as the decoder validates against them. */
        public Builder catalog(FunctionCatalog catalog) {
            this.catalog = catalog;
            return this;
        }

        /** How each worker loads the functions it runs. */
        public Builder registryLoader(RegistryLoader loader) {
            this.registryLoader = loader;
            return this;
        }

        /** How each worker picks its device; defaults to AUTO with a 2 GiB CPU budget. */
        public Builder deviceSelector(DeviceSelector selector) {
            this.deviceSelector = selector;
            return this;
        }

        public Builder workerSettings(WorkerSettings settings) {
            this.workerSettings = settings;
            return this;
        }

        /** Invocations each worker holds before back-pressure; and how long before one times out. */
        public Builder workerCapacity(int queueCapacity, Duration timeout) {
            this.queueCapacity = queueCapacity;
            this.workerTimeout = timeout;
            return this;
        }

        public Builder limits(DecodeLimits limits) {
            this.limits = limits;
            return this;
        }

        /** Worker subtasks; -1 (the default) uses the job's parallelism. */
        public Builder workerParallelism(int parallelism) {
            this.workerParallelism = parallelism;
            return this;
        }

        public GpuFaasPipeline build() {
            Objects.requireNonNull(source, "no source set: call source(...)");
            Objects.requireNonNull(resultSink, "no result sink set: call resultSink(...)");
            Objects.requireNonNull(deadLetterSink, "no dead-letter sink set: call deadLetterSink(...)");
            Objects.requireNonNull(catalog, "no function catalog set: call catalog(...)");
            Objects.requireNonNull(registryLoader, "no registry loader set: call registryLoader(...)");
            Objects.requireNonNull(deviceSelector, "device selector must not be null");
            Objects.requireNonNull(limits, "limits must not be null");
            Objects.requireNonNull(workerSettings, "worker settings must not be null");
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("worker queue capacity must be positive, was " + queueCapacity);
            }
            if (workerTimeout == null || workerTimeout.isNegative() || workerTimeout.isZero()) {
                throw new IllegalArgumentException("worker timeout must be positive, was " + workerTimeout);
            }
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
