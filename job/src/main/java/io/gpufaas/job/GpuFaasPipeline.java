package io.gpufaas.job;

import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.RawRecord;
import io.gpufaas.core.contract.WorkerOutput;
import io.gpufaas.core.router.Routed;
import io.gpufaas.core.router.payload.DetachedPayload;
import io.gpufaas.core.router.payload.PayloadDecision;
import io.gpufaas.core.router.payload.RouterRequest;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.job.feedback.FeedbackChannel;
import io.gpufaas.operators.decode.DecodeFunction;
import io.gpufaas.operators.payload.PayloadJoin;
import io.gpufaas.operators.payload.PayloadSplit;
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
 * invocations ─► decode+validate+split ─keyBy(function)─► router (p=1) ─partitionCustom(worker)─► workers ─► results
 *                  │   └─► dead letters                     ▲   │ decisions             ▲                   │
 *                  │                                        │   ▼                       │                   │
 *                  └── large inputs ─keyBy(position)──► payload join ───────────────────┘                   │
 *                                                           └──────────── worker-status topic ◄─────────────┘
 * </pre>
 *
 * <p>Inputs of at least {@code gpufaas.router.payload-bypass-threshold} go around the router: it
 * decides on the rest of the invocation, and the payload join puts the two together again.
 *
 * <p>Sources and sinks are parameters ({@link PipelineIo}; {@link GpuFaasJob} gives it Kafka's), and
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

        // Large inputs go around the router (PayloadSplit, chained to decode): it decides on the rest.
        SingleOutputStreamOperator<RouterRequest> requests = invocations
                .process(new PayloadSplit(settings.payloadBypassBytes()))
                .name("payload-split")
                .uid("payload-split");

        // One router subtask holds the global view; the keying gives each function's invocations
        // and reports one order.
        SingleOutputStreamOperator<Routed> router = requests.keyBy(RouterRequest::function)
                .connect(io.feedback().open(env, invocations.getSideOutput(DecodeFunction.REMOVALS)))
                .process(new RouterFunction(settings.router(), settings.worker(), registryLoader,
                        settings.dedupWindow(), settings.dedupMaxIds()))
                .name("router")
                .uid("router")
                .setParallelism(1)
                .setMaxParallelism(1);
        // Each detached payload meets the router's decision on its invocation, in parallel.
        SingleOutputStreamOperator<Routed> joined = requests.getSideOutput(PayloadSplit.DETACHED)
                .keyBy(DetachedPayload::key)
                .connect(router.getSideOutput(RouterFunction.PAYLOAD_DECISIONS).keyBy(PayloadDecision::key))
                .process(new PayloadJoin())
                .name("payload-join")
                .uid("payload-join");
        invocations.getSideOutput(DecodeFunction.DEAD_LETTERS)
                .union(router.getSideOutput(RouterFunction.ROUTER_DEAD_LETTERS),
                        joined.getSideOutput(PayloadJoin.DEAD_LETTERS))
                .sinkTo(io.deadLetters())
                .name("dead-letters")
                .uid("dead-letters-sink");
        DataStream<Routed> routed = router.union(joined)
                .partitionCustom((worker, partitions) -> worker % partitions, Routed::worker);

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
                .union(joined.getSideOutput(PayloadJoin.RESULTS))
                .sinkTo(io.routerResults()).name("router-results").uid("router-results-sink").setParallelism(1);
        io.feedback().close(done, workers);
    }
}
