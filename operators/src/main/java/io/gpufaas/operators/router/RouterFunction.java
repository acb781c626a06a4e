package io.gpufaas.operators.router;

import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.ErrorMessages;
import io.gpufaas.core.contract.FatalErrors;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.ModelKeys;
import io.gpufaas.core.contract.Placement;
import io.gpufaas.core.contract.Timing;
import io.gpufaas.core.contract.WorkerReport;
import io.gpufaas.core.router.ModelStats;
import io.gpufaas.core.router.RecentIds;
import io.gpufaas.core.router.Residency;
import io.gpufaas.core.router.Routed;
import io.gpufaas.core.router.Router;
import io.gpufaas.core.router.RouterSettings;
import io.gpufaas.core.router.RouterSignal;
import io.gpufaas.core.router.payload.PayloadDecision;
import io.gpufaas.core.router.payload.RouterRequest;
import io.gpufaas.core.router.policy.Assignment;
import io.gpufaas.core.time.Clock;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.operators.metrics.CountOf;
import io.gpufaas.operators.metrics.GpuFaasMetric;
import io.gpufaas.operators.payload.PayloadJoin;
import io.gpufaas.udf.RegistryLoader;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router operator: one subtask (parallelism 1) running the core {@link Router}, which holds
 * the global view and the queue. This adapter owns what is Flink's: the two inputs (invocations
 * keyed by function; worker reports from the status topic, the feedback channel Flink 2 has no
 * iterations for), operator state, metrics, and the side output for invocations the router ends
 * itself ({@link #ROUTER_RESULTS}: shed as {@code OVERLOADED}, or {@code EXPIRED}).
 *
 * <p>Duplicates: an id accepted within {@code dedupWindowMs} ({@link RecentIds}, checkpointed as
 * operator state; memory holds one window's ids) is refused as a {@code DUPLICATE} dead letter ({@link #ROUTER_DEAD_LETTERS}):
 * a producer's retry runs once, and the first run's result is its answer. An invocation the router
 * did not take (shed as {@code OVERLOADED}, or whose routing failed) is forgotten: its retry runs.
 *
 * <p>Large inputs: an invocation whose bytes went around the router ({@link RouterRequest#detached})
 * is decided on {@link #PAYLOAD_DECISIONS} for the {@link PayloadJoin} instead of sent to its
 * worker, and each way the router ends it (shed, expired, refused, failed, a duplicate) tells the
 * join too, so its payload never waits there for nothing.
 *
 * <p>Time: a processing-time timer ticks the core every {@code expirySweepMs} while invocations
 * wait, so deadlines pass and silent workers' slots come back when no record arrives.
 *
 * <p>State: waiting invocations, the view's resident models and per-model statistics, all operator
 * state; after a restore the view is rebuilt and then corrected by the first reports.
 *
 * <p>Handling one record never fails the job: an invocation whose handling throws ends as an
 * {@code INTERNAL} error result, a report that cannot be applied is skipped (both logged and
 * counted in {@code internalErrors}).
 *
 * <p>Metrics: counters {@code routedInvocations}, {@code plannedHits}, {@code plannedMisses},
 * {@code reportsReceived}, {@code viewCorrections}, {@code releasedSlots},
 * {@code shedInvocations}, {@code expiredWhileWaiting}, {@code unplaceableInvocations},
 * {@code removedWhileWaiting}, {@code duplicateInvocations}, {@code internalErrors}; gauges
 * {@code pendingInvocations}, {@code pendingBytes}, {@code pendingHighWater}, {@code workerCredits};
 * under the {@code tuned} policy ({@link PolicyTuning}) {@code tunedPolicy}, {@code policySwitches},
 * {@code policyReplays}, {@code policyReplaysSkipped}, {@code policyReplayMillis}.
 */
public final class RouterFunction extends KeyedCoProcessFunction<String, RouterRequest, RouterSignal, Routed>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RouterFunction.class);

    /** The one clock of this operator: the core router's, and the results' timestamps. */
    private static final Clock CLOCK = Clock.system();

    /** Invocations the router ends itself (shed or expired while waiting), to be merged with worker results. */
    public static final OutputTag<InvocationResult> ROUTER_RESULTS = new OutputTag<>("router-results") {};

    /** Invocations refused here as duplicates of an id accepted within the dedup window: dead letters. */
    public static final OutputTag<DeadLetter> ROUTER_DEAD_LETTERS = new OutputTag<>("router-dead-letters") {};

    /** The router's decisions on invocations whose payload went around it, to {@link PayloadJoin}. */
    public static final OutputTag<PayloadDecision> PAYLOAD_DECISIONS = new OutputTag<>("payload-decisions") {};

    private final RouterSettings settings;
    /** The workers' settings: what a {@code tuned} router's replays run them with. */
    private final WorkerSettings workerSettings;
    private final RegistryLoader registryLoader;
    private final long expirySweepMs;
    /** How long an accepted invocation id is remembered, refusing a retry of it; 0 for not at all. */
    private final long dedupWindowMs;
    private final int dedupMaxIds;
    private transient RecentIds seenIds;
    private transient ListState<RecentIds.Accepted> seenIdsState;
    private transient List<RecentIds.Accepted> restoredSeenIds;
    private transient Counter duplicates;

    private transient Router<RouterRequest> router;
    private transient PolicyTuning tuning;
    /** Where the router's decisions go during the current call. */
    private transient Context context;
    private transient Collector<Routed> collector;
    private transient ListState<RouterRequest> pendingState;
    private transient ListState<Residency> residencyState;
    private transient ListState<ModelStats> statsState;
    private transient List<RouterRequest> restoredPending;
    private transient List<Residency> restoredResidency;
    private transient List<ModelStats> restoredStats;
    private transient Counter reports;
    private transient Counter internalErrors;
    /** When the registered tick timer fires; Long.MAX_VALUE when none is registered. */
    private transient long tickAtMs;

    public RouterFunction(RouterSettings settings, WorkerSettings workerSettings, RegistryLoader registryLoader,
            java.time.Duration dedupWindow, int dedupMaxIds) {
        this(settings, workerSettings, registryLoader, Router.EXPIRY_SWEEP_MS, dedupWindow.toMillis(), dedupMaxIds);
    }

    /** With the deadline sweep's interval: 0 sweeps on every event (tests). */
    RouterFunction(RouterSettings settings, WorkerSettings workerSettings, RegistryLoader registryLoader,
            long expirySweepMs, long dedupWindowMs, int dedupMaxIds) {
        this.settings = settings;
        this.workerSettings = workerSettings;
        this.registryLoader = registryLoader;
        this.expirySweepMs = expirySweepMs;
        this.dedupWindowMs = dedupWindowMs;
        this.dedupMaxIds = dedupMaxIds;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        pendingState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("pending-requests", RouterRequest.class));
        // Checkpoints from before payloads could bypass the router held invocations under "pending".
        ListState<Invocation> pendingBefore = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("pending", Invocation.class));
        residencyState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("residency", Residency.class));
        statsState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("model-stats", ModelStats.class));
        seenIdsState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("recent-ids", RecentIds.Accepted.class));
        restoredSeenIds = new ArrayList<>();
        restoredPending = new ArrayList<>();
        restoredResidency = new ArrayList<>();
        restoredStats = new ArrayList<>();
        if (context.isRestored()) {
            pendingState.get().forEach(restoredPending::add);
            pendingBefore.get().forEach(inv -> restoredPending.add(RouterRequest.inline(inv)));
            pendingBefore.clear();
            residencyState.get().forEach(restoredResidency::add);
            statsState.get().forEach(restoredStats::add);
            seenIdsState.get().forEach(restoredSeenIds::add);
        }
    }

    @Override
    public void close() throws Exception {
        if (tuning != null) {
            tuning.close();
        }
        super.close();
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        Counter routed = GpuFaasMetric.ROUTED_INVOCATIONS.counter(metrics);
        // The router's view counts its own plan (the count the simulator reads); not a second tally.
        GpuFaasMetric.PLANNED_HITS.counter(metrics, new CountOf(() -> router == null ? 0 : router.planStats().hits()));
        GpuFaasMetric.PLANNED_MISSES.counter(metrics, new CountOf(() -> router == null ? 0 : router.planStats().misses()));
        GpuFaasMetric.PLANNED_HIT_RATIO.gauge(metrics, (Gauge<Double>) () -> router == null ? 0.0 : router.planStats().hitRatio());
        reports = GpuFaasMetric.REPORTS_RECEIVED.counter(metrics);
        Counter corrections = GpuFaasMetric.VIEW_CORRECTIONS.counter(metrics);
        Counter releasedSlots = GpuFaasMetric.RELEASED_SLOTS.counter(metrics);
        Counter shed = GpuFaasMetric.SHED_INVOCATIONS.counter(metrics);
        Counter expired = GpuFaasMetric.EXPIRED_WHILE_WAITING.counter(metrics);
        internalErrors = GpuFaasMetric.INTERNAL_ERRORS.counter(metrics);
        Counter unplaceable = GpuFaasMetric.UNPLACEABLE_INVOCATIONS.counter(metrics);
        Counter removedWaiting = GpuFaasMetric.REMOVED_WHILE_WAITING.counter(metrics);
        tickAtMs = Long.MAX_VALUE;
        duplicates = GpuFaasMetric.DUPLICATE_INVOCATIONS.counter(metrics);
        if (dedupWindowMs > 0) {
            seenIds = new RecentIds(dedupWindowMs, dedupMaxIds);
            seenIds.restore(restoredSeenIds);
            GpuFaasMetric.REMEMBERED_IDS.gauge(metrics, (Gauge<Integer>) () -> seenIds.size());
            GpuFaasMetric.IDS_FORGOTTEN_EARLY.counter(metrics, new CountOf(() -> seenIds.forgottenEarly()));
        }
        restoredSeenIds = null;

        router = new Router<>(settings, registryLoader.load(), CLOCK, new Router.Output<>() {
            @Override
            public void dispatch(Assignment<RouterRequest> a) {
                routed.inc();
                RouterRequest req = a.item();
                Routed r = new Routed(req.invocation(), a.worker(), a.load(), a.evict());
                if (req.detached()) {
                    context.output(PAYLOAD_DECISIONS, PayloadDecision.run(req.payloadKey(), r));
                } else {
                    collector.collect(r);
                }
            }

            @Override
            public void shed(RouterRequest req, String why) {
                shed.inc();
                Invocation inv = req.invocation();
                forgetId(inv); // OVERLOADED says "retry later": the retry must not be a duplicate
                release(req);
                long now = CLOCK.millis();
                context.output(ROUTER_RESULTS, InvocationResult.error(inv, ErrorCode.OVERLOADED, why,
                        Timing.waitedOnly(inv, now), Placement.nowhere(), now));
            }

            @Override
            public void expired(RouterRequest req) {
                expired.inc();
                Invocation inv = req.invocation();
                release(req);
                long now = CLOCK.millis();
                context.output(ROUTER_RESULTS, InvocationResult.expired(inv, Timing.waitedOnly(inv, now),
                        Placement.nowhere(), now));
            }

            @Override
            public void failed(RouterRequest req, ErrorCode code, String message) {
                (code == ErrorCode.FUNCTION_REMOVED ? removedWaiting : unplaceable).inc();
                Invocation inv = req.invocation();
                release(req);
                long now = CLOCK.millis();
                context.output(ROUTER_RESULTS, InvocationResult.error(inv, code, message,
                        Timing.waitedOnly(inv, now), Placement.nowhere(), now));
            }

            @Override
            public void slotsReleased(int worker, int released, long silentMs) {
                releasedSlots.inc(released);
                LOG.warn("router: worker {} reported nothing for {} ms while holding {} invocations; releasing its slots",
                        worker, silentMs, released);
            }

            @Override
            public void viewCorrected(int worker, int n) {
                corrections.inc(n);
            }

            @Override
            public void reportIgnored(WorkerReport report, String why) {
                LOG.warn("router: report for invocation {} ignored: {}", report.invocationId(), why);
            }
        }, expirySweepMs);
        tuning = PolicyTuning.attach(router, workerSettings, metrics);
        router.restore(restoredStats, restoredResidency);
        for (RouterRequest req : restoredPending) {
            // Dispatched at the first event: nothing can be emitted from open().
            Invocation inv = req.invocation();
            router.restorePending(req, inv.model(), inv.arrivedAtMs(), inv.deadlineMs(), req.sizeBytes());
        }
        GpuFaasMetric.PENDING_INVOCATIONS.gauge(metrics, (Gauge<Integer>) router::pending);
        GpuFaasMetric.PENDING_BYTES.gauge(metrics, (Gauge<Long>) router::pendingBytes);
        GpuFaasMetric.PENDING_HIGH_WATER.gauge(metrics, (Gauge<Integer>) router::pendingHighWater);
        GpuFaasMetric.WORKER_CREDITS.gauge(metrics, (Gauge<Integer>) router::credits);
        LOG.info("router: policy {}, eviction {}, {} workers x {} slots, {} bytes each; restored {} pending invocations, "
                        + "{} resident models", settings.policy(), settings.evictionPolicy(), settings.workers(),
                settings.slotsPerWorker(), settings.workerMemoryBytes(), restoredPending.size(), restoredResidency.size());
    }

    @Override
    public void processElement1(RouterRequest req, Context ctx, Collector<Routed> out) throws Exception {
        bind(ctx, out);
        Invocation inv = req.invocation();
        try {
            if (isDuplicate(req, ctx)) {
                return;
            }
            router.submit(req, inv.model(), inv.arrivedAtMs(), inv.deadlineMs(), req.sizeBytes());
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            internalErrors.inc();
            forgetId(inv); // it was never routed: a retry may try again
            release(req);
            LOG.error("router: invocation {} of {} failed while being routed", inv.id(), inv.function(), t);
            long now = CLOCK.millis();
            ctx.output(ROUTER_RESULTS, InvocationResult.internalError(inv, "the router failed: " + ErrorMessages.brief(t),
                    Timing.waitedOnly(inv, now), Placement.nowhere(), now));
        }
        scheduleTick(ctx);
    }

    /** A retry of an id accepted within the window becomes a DUPLICATE dead letter: it runs once. */
    private boolean isDuplicate(RouterRequest req, Context ctx) {
        if (seenIds == null) {
            return false;
        }
        Invocation inv = req.invocation();
        long now = CLOCK.millis();
        long first = seenIds.acceptOrFirstSeen(inv.id(), now);
        if (first < 0) {
            return false;
        }
        duplicates.inc();
        String reason = "an invocation with id '" + inv.id() + "' was accepted " + Math.max(0, now - first)
                + " ms ago; it runs once, and its result is the answer";
        if (req.detached()) {
            // Its payload waits at the join, which writes the dead letter whole.
            ctx.output(PAYLOAD_DECISIONS, PayloadDecision.deadLetter(req.payloadKey(), inv, ErrorCode.DUPLICATE, reason));
            return true;
        }
        ctx.output(ROUTER_DEAD_LETTERS, DeadLetter.of(inv, ErrorCode.DUPLICATE, reason));
        return true;
    }

    /** An invocation the router ended itself: a payload waiting for it at the join is released. */
    private void release(RouterRequest req) {
        if (req.detached()) {
            context.output(PAYLOAD_DECISIONS, PayloadDecision.drop(req.payloadKey()));
        }
    }

    /**
     * Under the invocation's key: its id no longer counts as accepted. Called for invocations the
     * router did not take, so that their retry runs.
     */
    private void forgetId(Invocation inv) {
        if (seenIds == null) {
            return;
        }
        seenIds.forget(inv.id());
    }

    @Override
    public void processElement2(RouterSignal signal, Context ctx, Collector<Routed> out) {
        bind(ctx, out);
        if (signal.removedFunction() != null) {
            removed(signal.removedFunction());
        } else {
            reported(signal.report());
        }
        scheduleTick(ctx);
    }

    private void reported(WorkerReport report) {
        reports.inc();
        try {
            router.report(report);
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            internalErrors.inc();
            LOG.error("router: report of worker {} for invocation {} could not be applied; skipped", report.worker(),
                    report.invocationId(), t);
        }
    }

    private void removed(String function) {
        try {
            int ended = router.remove(model -> ModelKeys.function(model).equals(function),
                    "function '" + function + "' was removed while this invocation waited");
            LOG.info("router: function {} removed; {} of its waiting invocations ended", function, ended);
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            internalErrors.inc();
            LOG.error("router: the removal of {} could not be applied", function, t);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Routed> out) {
        bind(ctx, out);
        tickAtMs = Long.MAX_VALUE;
        try {
            router.tick();
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            internalErrors.inc();
            LOG.error("router: a timed sweep failed", t);
        }
        scheduleTick(ctx);
    }

    /** While anything waits, time alone must expire deadlines and free silent workers' slots. */
    private void scheduleTick(Context ctx) {
        if (router.pending() > 0 && tickAtMs == Long.MAX_VALUE) {
            tickAtMs = ctx.timerService().currentProcessingTime() + Math.max(1, expirySweepMs);
            ctx.timerService().registerProcessingTimeTimer(tickAtMs);
        }
    }

    private void bind(Context ctx, Collector<Routed> out) {
        this.context = ctx;
        this.collector = out;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        pendingState.update(router.pendingItems());
        residencyState.update(router.residency());
        statsState.update(new ArrayList<>(router.modelStats()));
        seenIdsState.update(seenIds == null ? List.of() : seenIds.snapshot());
    }
}
