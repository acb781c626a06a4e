package io.gpufaas.job;

import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.RawRecord;
import io.gpufaas.core.contract.WorkerOutput;
import io.gpufaas.core.router.Routed;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.job.feedback.FeedbackChannel;
import io.gpufaas.operators.decode.DecodeFunction;
import io.gpufaas.operators.router.RouterFunction;
import io.gpufaas.operators.worker.WorkerFunction;
import io.gpufaas.udf.RegistryLoader;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
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
 * Sources and sinks are parameters ({@link PipelineIo}; {@link GpuFaasJob} gives it Kafka's), and
 * the feedback loop's two ends are {@link FeedbackChannel}'s. Every operator has a stable uid, so
 * savepoints survive changes to the graph around it.
 */
public final class GpuFaasPipeline {

    private final PipelineIo io;
    private final JobSettings settings;
    private final FunctionCatalog catalog;
    private final RegistryLoader registryLoader;

    /**
     * @param io where the pipeline reads and writes
     * @param settings every component's settings ({@link JobSettings#from})
     * @param catalog the deployed functions, as the decoder validates against them
     * @param registryLoader how each worker (and the router, for footprints) loads the functions
     */
    public GpuFaasPipeline(PipelineIo io, JobSettings settings, FunctionCatalog catalog, RegistryLoader registryLoader) {
        this.io = Objects.requireNonNull(io, "io");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.registryLoader = Objects.requireNonNull(registryLoader, "registry loader");
        if (catalog.all().isEmpty()) {
            throw new IllegalArgumentException("the function catalog is empty: nothing could be invoked");
        }
    }

    /** Adds the pipeline to {@code env}; the caller executes it. */
    public void addTo(StreamExecutionEnvironment env) {
        int workers = settings.workers();
        BroadcastStream<RawRecord> control = env
                .fromSource(io.control(), WatermarkStrategy.noWatermarks(), "control")
                .uid("control-source")
                .setParallelism(1)
                .broadcast(DecodeFunction.DEPLOYMENTS);
        SingleOutputStreamOperator<Invocation> invocations = env
                .fromSource(io.invocations(), WatermarkStrategy.noWatermarks(), "invocations")
                .uid("invocations-source")
                .connect(control)
                .process(new DecodeFunction(catalog, settings.decode(), registryLoader))
                .name("decode-validate")
                .uid("decode-validate");

        // One router subtask holds the global view; the keying gives each function's invocations
        // and reports one order.
        SingleOutputStreamOperator<Routed> router = invocations.keyBy(Invocation::function)
                .connect(io.feedback().open(env, invocations.getSideOutput(DecodeFunction.REMOVALS)))
                .process(new RouterFunction(settings.router(), registryLoader, settings.dedupWindow(), settings.dedupMaxIds()))
                .name("router")
                .uid("router")
                .setParallelism(1)
                .setMaxParallelism(1);
        invocations.getSideOutput(DecodeFunction.DEAD_LETTERS)
                .union(router.getSideOutput(RouterFunction.ROUTER_DEAD_LETTERS))
                .sinkTo(io.deadLetters())
                .name("dead-letters")
                .uid("dead-letters-sink");
        DataStream<Routed> routed = router.partitionCustom((worker, partitions) -> worker % partitions, Routed::worker);

        WorkerSettings ws = settings.worker();
        SingleOutputStreamOperator<WorkerOutput> done = AsyncDataStream.unorderedWait(routed,
                        new WorkerFunction(registryLoader, settings.devices(), ws),
                        ws.timeoutMs(), TimeUnit.MILLISECONDS, ws.queueCapacity())
                .name("worker")
                .uid("worker")
                .setParallelism(workers);

        // Each worker writes its own results: the map and the sink chain to the worker's task.
        done.map(WorkerOutput::result).name("results-of").uid("results-of").setParallelism(workers)
                .sinkTo(io.results()).name("results").uid("results-sink").setParallelism(workers);
        // Invocations the router ended itself (shed under overload, expired while waiting) are
        // results like any other, written by a writer of their own.
        router.getSideOutput(RouterFunction.ROUTER_RESULTS)
                .sinkTo(io.routerResults()).name("router-results").uid("router-results-sink").setParallelism(1);
        io.feedback().close(done, workers);
    }
}
