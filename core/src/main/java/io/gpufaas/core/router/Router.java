package io.gpufaas.core.router;

import io.gpufaas.core.cache.CacheEntry;
import io.gpufaas.core.cache.CacheStats;
import io.gpufaas.core.cache.EvictionPolicies;
import io.gpufaas.core.cache.ModelCache;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.WorkerReport;
import io.gpufaas.core.router.policy.Assignment;
import io.gpufaas.core.router.policy.Request;
import io.gpufaas.core.router.policy.TunedPolicy;
import io.gpufaas.core.router.policy.WorkerView;
import io.gpufaas.core.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The locality-aware router: the global queue of invocations waiting for a worker, the exact view
 * of every worker's cache and slots, and the plans it sends (evict, load, run). Driven by three
 * events: an invocation arrived ({@link #submit}), a worker reported ({@link #report}), time
 * passed ({@link #tick}). Plain Java with an injected {@link Clock}, one caller at a time: the
 * Flink router operator and the simulator run this same class and differ only in I/O and time.
 *
 * <ul>
 *   <li><b>Slots</b>: a worker holds at most {@code slotsPerWorker} invocations; a slot stays
 *       busy until the worker's report for it arrives.
 *   <li><b>Silent workers</b>: one that reports nothing for {@code reportTimeoutMs} while holding
 *       work gets its slots back.
 *   <li><b>Deadlines</b>: an invocation past its deadline, on arrival or while waiting, ends
 *       {@code EXPIRED} here, never reaching a worker.
 *   <li><b>Shedding</b>: beyond {@code maxPending} waiting invocations or {@code maxPendingBytes} of
 *       their input, new ones end {@code OVERLOADED} at once. Back-pressure cannot do this: a router
 *       blocked on its input could not read the reports that free its workers.
 *   <li><b>Learning</b>: reports measure each model's footprint, load and run time, and say what
 *       each worker really holds, which corrects the view.
 *   <li><b>Liveness</b>: an invocation whose model is larger than every worker's memory (as
 *       declared, or as a report measured it) ends {@code OUT_OF_DEVICE_MEMORY} instead of
 *       waiting at the head of the queue for ever, where the out-of-order bound would stop every
 *       other function's dispatch behind it. {@link #remove} ends a removed function's waiting
 *       invocations. {@code RouterLivenessTest} checks over thousands of random scenarios that
 *       every invocation ends.
 *   <li><b>Tuning</b>: under the {@code tuned} policy the {@link RouterTuner} given to
 *       {@link #tuneWith} sees every arrival and report, and switches the candidate at the start of
 *       a dispatch; without one the policy keeps its first candidate.
 * </ul>
 *
 * @param <T> the invocation as the owner knows it; the router only carries it
 */
public final class Router<T> {

    /** How often the queue is swept for invocations past their deadline, by default. */
    public static final long EXPIRY_SWEEP_MS = 100;

    /** How often workers are checked for silence. */
    static final long SILENCE_CHECK_MS = 1_000;

    /** What the router tells its owner, as it happens. */
    public interface Output<T> {
        /** Send {@code a.item()} to worker {@code a.worker()} with this plan. */
        void dispatch(Assignment<T> a);

        /** {@code item} ends as an OVERLOADED error, for the reason given. */
        void shed(T item, String why);

        /** {@code item}'s deadline passed before it could be dispatched. */
        void expired(T item);

        /**
         * {@code item} ends as an error without reaching a worker: its model fits no worker
         * ({@code OUT_OF_DEVICE_MEMORY}), or its function was removed while it waited
         * ({@code FUNCTION_REMOVED}).
         */
        void failed(T item, ErrorCode code, String message);

        /** A worker silent for {@code silentMs} while holding {@code released} invocations got its slots back. */
        default void slotsReleased(int worker, int released, long silentMs) {}

        /** A report corrected the view of a worker's cache {@code corrections} times. */
        default void viewCorrected(int worker, int corrections) {}

        /** A report was ignored (e.g. from a worker this router does not have). */
        default void reportIgnored(WorkerReport report, String why) {}
    }

    /** A waiting invocation with what the router needs to know of it. */
    private record Waiting<T>(T item, long deadlineMs, long sizeBytes) {}

    private final RouterSettings settings;
    private final FunctionCatalog catalog;
    private final Clock clock;
    private final Output<T> out;
    private final long expirySweepMs;
    private final Scheduler<Waiting<T>> scheduler;
    private final Map<String, ModelStats> stats = new HashMap<>();
    private final double[] lastHeardMs;
    /** Each worker's credits, adapted to its round trips and reported backlog (fixed when max = min slots). */
    private final Credits credits;
    private double lastSweepMs = Double.NEGATIVE_INFINITY;
    private double lastSilenceCheckMs = Double.NEGATIVE_INFINITY;
    private long pendingBytes;
    private int pendingHighWater;
    /** Waiting invocations that have a deadline: without any, a sweep has nothing to find. */
    private int pendingWithDeadline;
    /** Chooses the tuned policy's candidate; null until {@link #tuneWith}. */
    private RouterTuner tuner;
    /** Models whose waiting invocations may no longer fit any worker: checked at the next event. */
    private final java.util.Set<String> refit = new java.util.HashSet<>();

    public Router(RouterSettings settings, FunctionCatalog catalog, Clock clock, Output<T> out) {
        this(settings, catalog, clock, out, EXPIRY_SWEEP_MS);
    }

    /** With the deadline sweep's interval: 0 sweeps on every event. */
    public Router(RouterSettings settings, FunctionCatalog catalog, Clock clock, Output<T> out, long expirySweepMs) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.out = Objects.requireNonNull(out, "out");
        this.expirySweepMs = expirySweepMs;
        List<WorkerView> views = new ArrayList<>();
        for (int i = 0; i < settings.workers(); i++) {
            views.add(new WorkerView(i, settings.slotsPerWorker(), settings.maxSlotsPerWorker(),
                    new ModelCache(settings.workerMemoryBytes(), EvictionPolicies.create(settings.evictionPolicy()))));
        }
        this.scheduler = new Scheduler<>(settings.policy().create(), views, settings.maxBypass(),
                settings.maxOvertakenWork(), settings.window());
        this.scheduler.copyLimits(new Scheduler.CopyLimits() {
            @Override
            public int min(String model) {
                return catalog.minCopies(model);
            }

            @Override
            public int max(String model) {
                return catalog.maxCopies(model);
            }
        });
        this.lastHeardMs = new double[settings.workers()];
        this.credits = new Credits(settings.workers(), settings.slotsPerWorker(), settings.maxSlotsPerWorker());
    }

    /** The settings this router was built with. */
    public RouterSettings settings() {
        return settings;
    }

    /** The tuned policy, if this router runs it. */
    public Optional<TunedPolicy> tunedPolicy() {
        return scheduler.policy() instanceof TunedPolicy tuned ? Optional.of(tuned) : Optional.empty();
    }

    /** Lets {@code tuner} choose the tuned policy's candidate from now on. */
    public void tuneWith(RouterTuner tuner) {
        if (tunedPolicy().isEmpty()) {
            throw new IllegalStateException("only the tuned policy is tuned; this router runs " + settings.policy());
        }
        this.tuner = Objects.requireNonNull(tuner, "tuner");
    }

    /** An invocation arrived: it is queued (and dispatched if a worker is free), shed or expired. */
    public void submit(T item, String model, long arrivedMs, long deadlineMs, long sizeBytes) {
        expire(false);
        double now = clock.nowMs();
        if (tuner != null) {
            tuner.arrived(model, now, this::snapshot, this::stats);
        }
        long modelBytes = stats(model).bytes();
        if (deadlineMs < now) {
            out.expired(item); // already too late: no slot, no queue
        } else if (modelBytes > largestWorkerBytes()) {
            out.failed(item, ErrorCode.OUT_OF_DEVICE_MEMORY, tooLarge(model, modelBytes));
        } else if (scheduler.queued() >= settings.maxPending()) {
            out.shed(item, settings.maxPending() + " invocations are already waiting for a worker; retry later");
        } else if (scheduler.queued() > 0 && pendingBytes + sizeBytes > settings.maxPendingBytes()) {
            // An empty queue takes any one invocation: the record limit already bounds its size.
            out.shed(item, "invocations holding " + pendingBytes + " bytes of input are already waiting for a worker "
                    + "(at most " + settings.maxPendingBytes() + "); retry later");
        } else {
            enqueue(item, model, arrivedMs, deadlineMs, sizeBytes);
        }
        dispatch();
    }

    private void enqueue(T item, String model, long arrivedMs, long deadlineMs, long sizeBytes) {
        ModelStats s = stats(model);
        scheduler.submit(new Request<>(new Waiting<>(item, deadlineMs, sizeBytes), model, s.bytes(), s.loadMs(),
                s.execMs(), arrivedMs), clock.nowMs());
        pendingBytes += sizeBytes;
        if (deadlineMs != Long.MAX_VALUE) {
            pendingWithDeadline++;
        }
        pendingHighWater = Math.max(pendingHighWater, scheduler.queued());
    }

    /** A worker finished an invocation: its slot is free, and what it says corrects the view. */
    public void report(WorkerReport report) {
        if (report.worker() < 0 || report.worker() >= settings.workers()) {
            out.reportIgnored(report, "no worker " + report.worker() + " (the router has " + settings.workers() + ")");
            return;
        }
        lastHeardMs[report.worker()] = clock.nowMs();
        WorkerView view = scheduler.workers().get(report.worker());
        // A batch's report frees each of its invocations' slots. Its round trip is its youngest's:
        // the older ones also waited for the batch to fill, which is not the path's delay.
        double roundTripMs = Double.NaN;
        int unmatched = 0;
        for (int k = 0; k < report.completed(); k++) {
            double t = view.completeAt(report.function(), clock.nowMs());
            if (Double.isNaN(t) && view.completeOtherVersionOf(report.function())) {
                unmatched++; // a slot must not leak over a version's name: it would stall the worker until its timeout
            }
            roundTripMs = Double.isNaN(roundTripMs) ? t : Double.isNaN(t) ? roundTripMs : Math.min(roundTripMs, t);
        }
        if (unmatched > 0) {
            out.reportIgnored(report, "worker " + report.worker() + " reported " + report.function()
                    + ", which it was not running under that name; " + unmatched + " running slot(s) of another version "
                    + "were freed instead");
        }
        view.slots(credits.observe(report.worker(), roundTripMs, report.backlogMs(),
                (double) report.execMs() / report.completed(), pending(), view.slots()));
        ModelStats observed = stats(report.function()).observe(report.bytes(), report.loadMs(), report.execMs());
        stats.put(report.function(), observed);
        if (tuner != null) {
            tuner.reported(report.function(), report.execMs(), report.completed());
        }
        if (observed.bytes() > largestWorkerBytes()) {
            // A measured footprint can exceed what was declared. Only such a model is noted: the
            // set is walked on every dispatch, and one noted per report kept it a fleet's width.
            refit.add(report.function());
        }
        if (report.residentComplete()) {
            int corrections = view.reconcile(report.resident(), m -> stats(m).bytes(), m -> stats(m).loadMs());
            if (corrections > 0) {
                out.viewCorrected(report.worker(), corrections);
            }
            report.resident().forEach(scheduler::keepMinimumCopies);
        }
        expire(false);
        dispatch();
    }

    /** Time passed: expire what is past its deadline, take back silent workers' slots, dispatch. */
    public void tick() {
        expire(true);
        dispatch();
    }

    /**
     * Ends every waiting invocation whose model matches, as {@code FUNCTION_REMOVED} (e.g. its
     * function was removed from the control topic); returns how many ended.
     */
    public int remove(java.util.function.Predicate<String> model, String why) {
        int n = end(r -> model.test(r.model()), ErrorCode.FUNCTION_REMOVED, m -> why);
        dispatch();
        return n;
    }

    private int end(java.util.function.Predicate<Request<Waiting<T>>> which, ErrorCode code,
            java.util.function.Function<String, String> message) {
        List<Request<Waiting<T>>> ended = scheduler.removeIf(which);
        for (Request<Waiting<T>> r : ended) {
            forget(r.item());
            out.failed(r.item().item(), code, message.apply(r.model()));
        }
        return ended.size();
    }

    /** A waiting invocation left the queue without being dispatched. */
    private void forget(Waiting<T> w) {
        pendingBytes -= w.sizeBytes();
        if (w.deadlineMs() != Long.MAX_VALUE) {
            pendingWithDeadline--;
        }
    }

    /** Ends the waiting invocations of models that grew past every worker's memory. */
    private void failUnfitting() {
        if (refit.isEmpty()) {
            return;
        }
        long largest = largestWorkerBytes();
        java.util.Set<String> tooLarge = new java.util.HashSet<>();
        for (String m : refit) {
            if (stats(m).bytes() > largest) {
                tooLarge.add(m);
            }
        }
        refit.clear();
        if (!tooLarge.isEmpty()) {
            end(r -> tooLarge.contains(r.model()), ErrorCode.OUT_OF_DEVICE_MEMORY, m -> tooLarge(m, stats(m).bytes()));
        }
    }

    private long largestWorkerBytes() {
        return settings.workerMemoryBytes();
    }

    private String tooLarge(String model, long bytes) {
        return "the model of '" + model + "' needs " + bytes + " bytes of device memory; the largest worker has "
                + largestWorkerBytes() + " bytes";
    }

    private void expire(boolean now) {
        double t = clock.nowMs();
        if (pendingWithDeadline == 0 || (!now && t - lastSweepMs < expirySweepMs)) {
            return;
        }
        lastSweepMs = t;
        for (Request<Waiting<T>> r : scheduler.removeIf(r -> r.item().deadlineMs() < t)) {
            forget(r.item());
            out.expired(r.item().item());
        }
    }

    private void dispatch() {
        if (tuner != null) {
            tuner.apply();
        }
        failUnfitting();
        double now = clock.nowMs();
        // Silence is measured in report timeouts (minutes): a look every second is plenty, and
        // keeps a fleet of workers off every event's path.
        if (now - lastSilenceCheckMs >= SILENCE_CHECK_MS) {
            lastSilenceCheckMs = now;
            for (WorkerView w : scheduler.workers()) {
                if (w.running() > 0 && now - lastHeardMs[w.id()] > settings.reportTimeoutMs()) {
                    int released = w.releaseAll();
                    out.slotsReleased(w.id(), released, (long) (now - lastHeardMs[w.id()]));
                }
            }
        }
        for (Assignment<Waiting<T>> a : scheduler.dispatch(now)) {
            pendingBytes -= a.item().sizeBytes();
            if (a.item().deadlineMs() != Long.MAX_VALUE) {
                pendingWithDeadline--;
            }
            lastHeardMs[a.worker()] = Math.max(lastHeardMs[a.worker()], now);
            out.dispatch(new Assignment<>(a.item().item(), a.model(), a.worker(), a.load(), a.evict()));
        }
    }

    private ModelStats stats(String model) {
        // A model no report has measured: what the catalogue estimates (read again for a function
        // deployed after the router started).
        return stats.computeIfAbsent(model, m -> ModelStats.assumed(m, catalog.estimatedBytes(m)));
    }

    /** All workers' credits (slots) now: with adaptive credits, how far the router lets work out. */
    public int credits() {
        int sum = 0;
        for (WorkerView w : scheduler.workers()) {
            sum += w.slots();
        }
        return sum;
    }

    /**
     * What the router's plan counted over all workers: a miss is a planned load, a hit a placement
     * where the model was resident.
     */
    public CacheStats planStats() {
        CacheStats sum = CacheStats.NONE;
        for (WorkerView w : scheduler.workers()) {
            sum = sum.plus(w.cache().stats());
        }
        return sum;
    }

    /** The scheduler's asks of its policy so far ({@link Scheduler#decisions}). */
    public long policyDecisions() {
        return scheduler.decisions();
    }

    /** The scheduler's kept refusals found standing so far ({@link Scheduler#keptRefusals}). */
    public long keptRefusals() {
        return scheduler.keptRefusals();
    }

    /** Throws if any worker view's cache accounting, or the cluster's index of them, is inconsistent (the simulator checks after each run). */
    public void checkInvariants() {
        scheduler.workers().forEach(w -> w.cache().checkInvariants());
        scheduler.cluster().checkInvariants();
    }

    /** Invocations dispatched and not yet reported done, over all workers. */
    public int running() {
        int sum = 0;
        for (WorkerView w : scheduler.workers()) {
            sum += w.running();
        }
        return sum;
    }

    /** For the liveness test: {@link Scheduler#oldestPlaceableNow}. */
    boolean oldestPlaceableNow() {
        return scheduler.oldestPlaceableNow();
    }

    /** Invocations waiting now. */
    public int pending() {
        return scheduler.queued();
    }

    /** Input bytes of the invocations waiting now. */
    public long pendingBytes() {
        return pendingBytes;
    }

    /** The most invocations ever waiting at once: what overload really held in memory. */
    public int pendingHighWater() {
        return pendingHighWater;
    }

    /** The waiting invocations, oldest first: what a checkpoint keeps. */
    public List<T> pendingItems() {
        List<T> items = new ArrayList<>();
        scheduler.pending().forEach(r -> items.add(r.item().item()));
        return items;
    }

    /** What a tuned router's replay starts from. */
    private RouterTuner.Snapshot snapshot(int mostWaiting) {
        return new RouterTuner.Snapshot(residency(), scheduler.waitingModels(mostWaiting));
    }

    /** Every resident model in the view: what a checkpoint keeps. */
    public List<Residency> residency() {
        List<Residency> residency = new ArrayList<>();
        for (WorkerView w : scheduler.workers()) {
            for (CacheEntry e : w.cache().entries()) {
                residency.add(new Residency(w.id(), e.model(), e.bytes()));
            }
        }
        return residency;
    }

    /** What reports taught the router: what a checkpoint keeps. */
    public Collection<ModelStats> modelStats() {
        return List.copyOf(stats.values());
    }

    /**
     * Restores a checkpoint's learning and view, before its waiting invocations are submitted
     * again. Residency for workers this router does not have is dropped (the job was rescaled).
     */
    public void restore(Collection<ModelStats> learned, Collection<Residency> residency) {
        learned.forEach(s -> stats.put(s.model(), s));
        Map<Integer, Map<String, Long>> byWorker = new HashMap<>();
        for (Residency r : residency) {
            if (r.worker() < settings.workers()) {
                byWorker.computeIfAbsent(r.worker(), w -> new java.util.LinkedHashMap<>()).put(r.model(), r.bytes());
            }
        }
        // One reconciliation per worker with all its models: each call drops what its list lacks.
        byWorker.forEach((worker, models) -> scheduler.workers().get(worker)
                .reconcile(models.keySet(), models::get, m -> stats(m).loadMs()));
    }

    /**
     * Queues a checkpointed invocation again, as it was: no bound is checked (they held when it
     * was checkpointed) and nothing is dispatched until the next event.
     */
    public void restorePending(T item, String model, long arrivedMs, long deadlineMs, long sizeBytes) {
        enqueue(item, model, arrivedMs, deadlineMs, sizeBytes);
        refit.add(model); // checkpointed before its model was found too large, or by an older version
    }
}
