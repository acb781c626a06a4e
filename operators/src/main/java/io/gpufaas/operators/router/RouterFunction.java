package io.gpufaas.operators.router;

import io.gpufaas.core.cache.CacheEntry;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.ErrorMessages;
import io.gpufaas.core.contract.FatalErrors;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Placement;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.core.contract.Timing;
import io.gpufaas.core.router.Assignment;
import io.gpufaas.core.router.Request;
import io.gpufaas.core.router.Routed;
import io.gpufaas.core.router.RoutingPolicies;
import io.gpufaas.core.router.Scheduler;
import io.gpufaas.core.contract.WorkerReport;
import io.gpufaas.core.router.WorkerView;
import io.gpufaas.udf.FunctionRegistry;
import io.gpufaas.udf.InferenceFunction;
import io.gpufaas.udf.RegistryLoader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The locality-aware router: one subtask (parallelism 1) holding the global view of every
 * worker's cache and load, and the queue of invocations waiting for a worker. Input 1 is
 * invocations (keyed by function); input 2 is worker reports from the status topic, the feedback
 * channel Flink 2 has no iterations for. Each routed invocation carries the plan the worker
 * executes (evict, load, run), so the view stays exact; reports free slots and correct it.
 *
 * <p>While a report is outstanding, its slot counts as busy: the router never sends a worker more
 * than {@code slotsPerWorker} invocations, and a worker that stays silent for
 * {@code reportTimeoutMs} while holding work gets its slots back (counted in
 * {@code releasedSlots}).
 *
 * <p>State: waiting invocations, the view's resident models and per-function statistics, all
 * operator state; after a restore the view is rebuilt and then corrected by the first reports.
 *
 * <p>Overload: the queue holds at most {@code maxPending} invocations and {@code maxPendingBytes}
 * of their input; beyond either, new ones end at once as {@code ERROR}/{@code OVERLOADED} results, and waiting ones past their deadline as
 * {@code EXPIRED} results, both on {@link #ROUTER_RESULTS}. Back-pressure cannot do this job here:
 * a router blocked on its input could not read the reports that free its workers.
 *
 * <p>Handling one record never fails the job: an invocation whose handling throws ends as an
 * {@code INTERNAL} error result, a report that cannot be applied is skipped (both logged and
 * counted in {@code internalErrors}).
 *
 * <p>Metrics: counters {@code routedInvocations}, {@code plannedHits}, {@code plannedMisses},
 * {@code reportsReceived}, {@code viewCorrections}, {@code releasedSlots},
 * {@code shedInvocations}, {@code expiredWhileWaiting}, {@code internalErrors}; gauges
 * {@code pendingInvocations}, {@code pendingBytes}, {@code pendingHighWater}.
 */
public final class RouterFunction extends KeyedCoProcessFunction<String, Invocation, WorkerReport, Routed>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RouterFunction.class);
    /** Assumed host-to-device bandwidth for a model no report has measured yet: 500 MB/s. */
    private static final double ASSUMED_BYTES_PER_MS = 500_000;
    private static final double DEFAULT_EXEC_MS = 10;
    /** How often the queue is swept for invocations past their deadline. */
    static final long EXPIRY_SWEEP_MS = 100;

    /** Invocations the router ends itself (shed or expired while waiting), to be merged with worker results. */
    public static final OutputTag<InvocationResult> ROUTER_RESULTS = new OutputTag<>("router-results") {};

    private final RouterSettings settings;
    private final RegistryLoader registryLoader;

    private transient Scheduler<Invocation> scheduler;
    private transient FunctionRegistry registry;
    private transient Map<String, FunctionStats> stats;
    private transient long[] lastHeardMs;
    private transient ListState<Invocation> pendingState;
    private transient ListState<Residency> residencyState;
    private transient ListState<FunctionStats> statsState;
    private transient List<Invocation> restoredPending;
    private transient List<Residency> restoredResidency;
    private transient Counter routed;
    private transient Counter plannedHits;
    private transient Counter plannedMisses;
    private transient Counter reports;
    private transient Counter corrections;
    private transient Counter releasedSlots;
    private transient Counter shed;
    private transient Counter expiredWaiting;
    private transient Counter internalErrors;
    /** Input bytes of the invocations waiting in the scheduler. */
    private transient long pendingBytes;
    private transient long lastSweepMs;
    /** The most invocations ever waiting at once in this run: what overload really held in memory. */
    private transient int pendingHighWater;

    private final long expirySweepMs;

    public RouterFunction(RouterSettings settings, RegistryLoader registryLoader) {
        this(settings, registryLoader, EXPIRY_SWEEP_MS);
    }

    /** With the deadline sweep's interval: 0 sweeps on every event (tests). */
    RouterFunction(RouterSettings settings, RegistryLoader registryLoader, long expirySweepMs) {
        this.settings = settings;
        this.registryLoader = registryLoader;
        this.expirySweepMs = expirySweepMs;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        pendingState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("pending", Invocation.class));
        residencyState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("residency", Residency.class));
        statsState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("function-stats", FunctionStats.class));
        restoredPending = new ArrayList<>();
        restoredResidency = new ArrayList<>();
        stats = new HashMap<>();
        if (context.isRestored()) {
            pendingState.get().forEach(restoredPending::add);
            residencyState.get().forEach(restoredResidency::add);
            statsState.get().forEach(s -> stats.put(s.function(), s));
        }
    }

    @Override
    public void open(OpenContext openContext) {
        registry = registryLoader.load();
        for (InferenceFunction f : registry.functions()) {
            stats.putIfAbsent(f.spec().name(), new FunctionStats(f.spec().name(), f.estimatedFootprintBytes(),
                    Math.max(1, f.estimatedFootprintBytes() / ASSUMED_BYTES_PER_MS), DEFAULT_EXEC_MS));
        }
        List<WorkerView> views = new ArrayList<>();
        for (int i = 0; i < settings.workers(); i++) {
            views.add(new WorkerView(i, settings.workerMemoryBytes(), settings.slotsPerWorker()));
        }
        scheduler = new Scheduler<>(RoutingPolicies.create(settings.policy()), views, settings.maxBypass(), settings.window());
        scheduler.copyLimits(new Scheduler.CopyLimits() {
            @Override
            public int min(String model) {
                return registry.function(model).map(InferenceFunction::minCopies).orElse(0);
            }

            @Override
            public int max(String model) {
                return registry.function(model).map(InferenceFunction::maxCopies).orElse(0);
            }
        });
        lastHeardMs = new long[settings.workers()];
        for (Residency r : restoredResidency) {
            if (r.worker() < views.size()) {
                views.get(r.worker()).reconcile(List.of(r.model()), m -> r.bytes(), m -> stats(m).loadMs());
            }
        }
        for (Invocation inv : restoredPending) {
            scheduler.submit(request(inv));
            pendingBytes += inv.sizeBytes();
        }
        var metrics = getRuntimeContext().getMetricGroup();
        routed = metrics.counter("routedInvocations");
        plannedHits = metrics.counter("plannedHits");
        plannedMisses = metrics.counter("plannedMisses");
        reports = metrics.counter("reportsReceived");
        corrections = metrics.counter("viewCorrections");
        releasedSlots = metrics.counter("releasedSlots");
        shed = metrics.counter("shedInvocations");
        expiredWaiting = metrics.counter("expiredWhileWaiting");
        internalErrors = metrics.counter("internalErrors");
        metrics.gauge("pendingInvocations", (Gauge<Integer>) () -> scheduler.queued());
        metrics.gauge("pendingBytes", (Gauge<Long>) () -> pendingBytes);
        metrics.gauge("pendingHighWater", (Gauge<Integer>) () -> pendingHighWater);
        LOG.info("router: policy {}, {} workers x {} slots, {} bytes each; restored {} pending invocations, {} resident models",
                settings.policy(), settings.workers(), settings.slotsPerWorker(), settings.workerMemoryBytes(),
                restoredPending.size(), restoredResidency.size());
    }

    private FunctionStats stats(String function) {
        return stats.computeIfAbsent(function, f -> {
            // A function deployed after the router started: estimate from its repository entry.
            long bytes = registry.function(f).or(() -> registry.refresh(f))
                    .map(InferenceFunction::estimatedFootprintBytes).orElse(0L);
            return new FunctionStats(f, bytes, Math.max(1, bytes / ASSUMED_BYTES_PER_MS), DEFAULT_EXEC_MS);
        });
    }

    private Request<Invocation> request(Invocation inv) {
        FunctionStats s = stats(inv.function());
        return new Request<>(inv, inv.function(), s.bytes(), s.loadMs(), s.execMs(), inv.arrivedAtMs());
    }

    @Override
    public void processElement1(Invocation inv, Context ctx, Collector<Routed> out) {
        try {
            admit(inv, ctx);
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            internalErrors.inc();
            LOG.error("router: invocation {} of {} failed while being queued", inv.id(), inv.function(), t);
            long now = System.currentTimeMillis();
            long waited = Math.max(0, now - inv.arrivedAtMs());
            ctx.output(ROUTER_RESULTS, InvocationResult.internalError(inv, "the router failed: " + ErrorMessages.brief(t),
                    new Timing(waited, 0, 0, waited), Placement.nowhere(), now));
        }
        dispatchSafely(ctx, out);
    }

    private void admit(Invocation inv, Context ctx) {
        expire(ctx);
        long size = inv.sizeBytes();
        if (inv.hasDeadline() && inv.deadlineMs() < System.currentTimeMillis()) {
            expired(inv, ctx); // already too late: no slot, no queue
        } else if (scheduler.queued() >= settings.maxPending()) {
            shed(inv, ctx, settings.maxPending() + " invocations are already waiting for a worker; retry later");
        } else if (scheduler.queued() > 0 && pendingBytes + size > settings.maxPendingBytes()) {
            // An empty queue takes any one invocation: the record limit already bounds its size.
            shed(inv, ctx, "invocations holding " + pendingBytes + " bytes of input are already waiting for a worker "
                    + "(at most " + settings.maxPendingBytes() + "); retry later");
        } else {
            scheduler.submit(request(inv));
            pendingBytes += size;
            pendingHighWater = Math.max(pendingHighWater, scheduler.queued());
        }
    }

    private void shed(Invocation inv, Context ctx, String why) {
        shed.inc();
        long now = System.currentTimeMillis();
        long waited = Math.max(0, now - inv.arrivedAtMs());
        ctx.output(ROUTER_RESULTS, InvocationResult.error(inv, ErrorCode.OVERLOADED, why,
                new Timing(waited, 0, 0, waited), Placement.nowhere(), now));
    }

    @Override
    public void processElement2(WorkerReport report, Context ctx, Collector<Routed> out) {
        reports.inc();
        try {
            applyReport(report, ctx);
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            internalErrors.inc();
            LOG.error("router: report of worker {} for invocation {} could not be applied; skipped", report.worker(),
                    report.invocationId(), t);
        }
        dispatchSafely(ctx, out);
    }

    private void applyReport(WorkerReport report, Context ctx) {
        if (report.worker() < 0 || report.worker() >= settings.workers()) {
            LOG.warn("router: report from unknown worker {} ignored (the job has {})", report.worker(), settings.workers());
            return;
        }
        long now = System.currentTimeMillis();
        lastHeardMs[report.worker()] = now;
        WorkerView view = scheduler.workers().get(report.worker());
        view.tryComplete(report.function());
        stats.put(report.function(), stats(report.function()).observe(report.bytes(), report.loadMs(), report.execMs()));
        if (report.residentComplete()) {
            corrections.inc(view.reconcile(report.resident(), m -> stats(m).bytes(), m -> stats(m).loadMs()));
            report.resident().forEach(scheduler::keepMinimumCopies);
        }
        expire(ctx);
    }

    /** A failure while dispatching belongs to no one record: logged, and retried at the next event. */
    private void dispatchSafely(Context ctx, Collector<Routed> out) {
        try {
            dispatch(out);
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            internalErrors.inc();
            LOG.error("router: dispatching failed; the waiting invocations stay queued", t);
        }
    }

    /** Invocations whose deadline passed while they waited end here as EXPIRED, not in a worker. */
    private void expire(Context ctx) {
        long now = System.currentTimeMillis();
        if (now - lastSweepMs < expirySweepMs) {
            return;
        }
        lastSweepMs = now;
        for (Request<Invocation> r : scheduler.removeIf(r -> r.item().hasDeadline() && r.item().deadlineMs() < now)) {
            pendingBytes -= r.item().sizeBytes();
            expired(r.item(), ctx);
        }
    }

    private void expired(Invocation inv, Context ctx) {
        expiredWaiting.inc();
        long now = System.currentTimeMillis();
        long waited = Math.max(0, now - inv.arrivedAtMs());
        ctx.output(ROUTER_RESULTS, InvocationResult.expired(inv, new Timing(waited, 0, 0, waited), Placement.nowhere(), now));
    }

    private void dispatch(Collector<Routed> out) {
        long now = System.currentTimeMillis();
        for (WorkerView w : scheduler.workers()) {
            if (w.running() > 0 && now - lastHeardMs[w.id()] > settings.reportTimeoutMs()) {
                int released = w.releaseAll();
                releasedSlots.inc(released);
                LOG.warn("router: worker {} reported nothing for {} ms while holding {} invocations; releasing its slots",
                        w.id(), now - lastHeardMs[w.id()], released);
            }
        }
        for (Assignment<Invocation> a : scheduler.dispatch(now)) {
            pendingBytes -= a.item().sizeBytes();
            lastHeardMs[a.worker()] = Math.max(lastHeardMs[a.worker()], now);
            routed.inc();
            (a.hit() ? plannedHits : plannedMisses).inc();
            out.collect(new Routed(a.item(), a.worker(), a.load(), a.evict()));
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        List<Invocation> pending = new ArrayList<>();
        scheduler.pending().forEach(r -> pending.add(r.item()));
        pendingState.update(pending);
        List<Residency> residency = new ArrayList<>();
        for (WorkerView w : scheduler.workers()) {
            for (CacheEntry e : w.cache().entries()) {
                residency.add(new Residency(w.id(), e.model(), e.bytes()));
            }
        }
        residencyState.update(residency);
        statsState.update(new ArrayList<>(stats.values()));
    }
}
