package io.gpufaas.core.worker;

import io.gpufaas.core.cache.Admission;
import io.gpufaas.core.cache.CacheEntry;
import io.gpufaas.core.cache.CacheStats;
import io.gpufaas.core.cache.CachedModel;
import io.gpufaas.core.cache.EvictionPolicies;
import io.gpufaas.core.cache.LoadCosts;
import io.gpufaas.core.cache.ModelCache;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.FunctionCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToLongBiFunction;

/**
 * The decisions of one worker, without threads, engines or time of its own: which invocations run
 * next as a batch, which model loads, what is evicted, when a batch must wait for decoded-input
 * room, when invocations expire. The device worker (real loads and runs on threads) and the
 * simulator (loads and runs as events) drive this same class; both call it under one lock or from
 * one thread, and tell it when a load or a batch has finished.
 *
 * <p>It holds a {@link ModelCache} of resident models and a {@link WorkerQueue} (FIFO,
 * out-of-order run-ahead, batching). One load runs at a time (loads share the host-to-device
 * link); up to {@code concurrency} batches run at once. A batch whose decoded input would exceed
 * {@code maxDecodedBytes} waits (claimed, its model pinned) until running batches finish, unless
 * nothing runs.
 *
 * @param <J> a queued invocation, as the driver knows it
 */
public final class WorkerCore<J> {

    private static final double SMOOTHING = 0.2;

    /** What the driver should do now. */
    public sealed interface Step<J> {
        /** Load {@code model} (after unloading {@code evicted}); then call {@link #loadDone} or {@link #loadFailed}. */
        record Load<J>(String model, List<String> evicted) implements Step<J> {}

        /** Run {@code batch} of resident {@code model}; then call {@link #batchDone}. */
        record Run<J>(String model, List<J> batch, long decodedBytes) implements Step<J> {}

        /** These invocations end as errors with this code and message. */
        record Fail<J>(List<J> jobs, ErrorCode code, String message) implements Step<J> {}

        /** Ask again at {@code atMs} (a partial batch waiting for more of its model). */
        record WakeAt<J>(long atMs) implements Step<J> {}
    }

    /** A queued invocation, its model, and whether that was resident when it came. */
    private record Queued<J>(J job, String model, boolean hit) {}

    private final String device;
    private final WorkerSettings settings;
    private final FunctionCatalog catalog;
    private final ToLongBiFunction<String, J> decodedBytes;
    private final ModelCache cache;
    private final WorkerQueue<Queued<J>> queue;
    /**
     * What loads here measured of each model: footprints (better than any estimate) and the last
     * load's time. One entry per model, updated in place: two maps of boxed values, written on
     * every load, took a tenth of a profile of round-robin's thrashing fleet day.
     */
    private final Map<String, Measured> measured = new HashMap<>();
    /** Models that found no room while others were in use: they wait until something finishes. */
    private final Set<String> blocked = new HashSet<>();
    private int runningJobs;
    private int runningBatches;
    private long decodedInFlight;
    private boolean loadInFlight;
    /** The load in flight: what it is expected to cost, and when it began. */
    private double loadCostMs;
    private long loadStartedMs;
    /** Smoothed run time per invocation here (a batch's time over its size): the backlog's unit. */
    private double msPerInvocation = Double.NaN;
    /** A claimed batch waiting for decoded-input room. */
    private Step.Run<J> parked;

    /**
     * @param device the device's name, for messages
     * @param capacityBytes device memory for models
     * @param catalog footprint estimates of models never loaded here
     * @param decodedBytes what one invocation of a model holds decoded while it runs (0 if nothing)
     */
    public WorkerCore(String device, long capacityBytes, WorkerSettings settings, FunctionCatalog catalog,
            ToLongBiFunction<String, J> decodedBytes) {
        this.device = device;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.decodedBytes = Objects.requireNonNull(decodedBytes, "decodedBytes");
        this.cache = new ModelCache(capacityBytes, EvictionPolicies.create(settings.evictionPolicy()));
        this.queue = new WorkerQueue<>(settings.maxBatch(), settings.maxBatchDelayMs(), settings.outOfOrder(),
                settings.maxBypass());
    }

    /** Queues an invocation of {@code model}; returns whether its model is resident (a hit). */
    public boolean submit(J job, String model, long nowMs, long deadlineMs) {
        boolean hit = cache.enqueued(model);
        if (!hit) {
            cache.recordMiss();
        }
        queue.add(new Queued<>(job, model, hit), model, nowMs, deadlineMs);
        return hit;
    }

    /** Removes and returns the queued invocations whose deadline has passed. */
    public List<J> expire(long nowMs) {
        List<J> expired = new ArrayList<>();
        for (Queued<J> q : queue.removeExpired(nowMs)) {
            cache.dequeued(q.model);
            expired.add(q.job);
        }
        return expired;
    }

    /** Everything that can start now, in order; empty when nothing can. */
    public List<Step<J>> next(long nowMs) {
        List<Step<J>> steps = new ArrayList<>();
        while (runningBatches < settings.concurrency()) {
            if (parked != null) {
                if (!roomFor(parked.decodedBytes())) {
                    break;
                }
                steps.add(launch(parked));
                parked = null;
                continue;
            }
            Dispatch<Queued<J>> d = queue.next(nowMs, this::state);
            if (d instanceof Dispatch.Run<Queued<J>> run) {
                Step.Run<J> claimed = claim(run.model(), run.batch());
                if (!roomFor(claimed.decodedBytes())) {
                    parked = claimed;
                    break;
                }
                steps.add(launch(claimed));
            } else if (d instanceof Dispatch.Load<Queued<J>> load) {
                Step<J> step = admit(load.model(), nowMs);
                if (step != null) {
                    steps.add(step);
                }
            } else if (d instanceof Dispatch.WaitUntil<Queued<J>> wait) {
                steps.add(new Step.WakeAt<>(wait.atMs()));
                break;
            } else {
                break;
            }
        }
        return steps;
    }

    private ModelState state(String model) {
        CacheEntry.State inCache = cache.stateOf(model);
        if (inCache == CacheEntry.State.READY) {
            return ModelState.READY;
        }
        if (inCache == CacheEntry.State.LOADING) {
            return ModelState.LOADING;
        }
        if (blocked.contains(model)) {
            return ModelState.BLOCKED;
        }
        // One load at a time: while one is in flight, other absent models wait for it to end.
        return loadInFlight ? ModelState.AWAITING_LOADER : ModelState.ABSENT;
    }

    private boolean roomFor(long bytes) {
        return runningBatches == 0 || decodedInFlight + bytes <= settings.maxDecodedBytes();
    }

    /** Takes the batch off the queue's books and pins its model, so nothing evicts it before it ran. */
    private Step.Run<J> claim(String model, List<Queued<J>> batch) {
        List<J> jobs = new ArrayList<>(batch.size());
        long bytes = 0;
        int hits = 0;
        for (Queued<J> q : batch) {
            if (q.hit) {
                hits++;
            }
            jobs.add(q.job);
            bytes += decodedBytes.applyAsLong(model, q.job);
        }
        cache.started(model, batch.size(), hits);
        return new Step.Run<>(model, jobs, bytes);
    }

    private Step.Run<J> launch(Step.Run<J> run) {
        runningBatches++;
        runningJobs += run.batch().size();
        decodedInFlight += run.decodedBytes();
        return run;
    }

    /**
     * Admits a load of {@code model}: an estimate (the catalogue's, at most the whole device) is
     * only a guess and never alone refuses a model; the measured footprint decides after the load.
     */
    private Step<J> admit(String model, long admittedAtMs) {
        Measured m = measured.get(model);
        long estimate = m != null && m.bytes > 0 ? m.bytes : Math.min(catalog.estimatedBytes(model), cache.capacity());
        double cost = m != null && m.loadMs >= 0 ? m.loadMs : LoadCosts.assumedLoadMs(estimate);
        Admission admission = cache.admit(model, estimate, cost);
        if (admission instanceof Admission.Admitted admitted) {
            loadInFlight = true;
            loadCostMs = cost;
            loadStartedMs = admittedAtMs;
            return new Step.Load<>(model, admitted.victims());
        }
        if (admission instanceof Admission.TooLarge tooLarge) {
            return new Step.Fail<>(removeModel(model), ErrorCode.OUT_OF_DEVICE_MEMORY, "model '" + model + "' needs "
                    + tooLarge.bytes() + " bytes but device " + device + " has " + tooLarge.capacity() + " in all");
        }
        blocked.add(model);
        return null;
    }

    /**
     * A load finished with the measured footprint. Returns the models to unload to make room, or
     * the failure of every queued invocation of the model if it does not fit after all.
     */
    public LoadResult<J> loadDone(String model, long bytes, long ms) {
        return installed(model, bytes, ms, cache.completeLoad(model, bytes, ms));
    }

    /**
     * A warm model was taken over from this device's previous worker instead of loaded: resident
     * as after a load of {@code ms} (its last measured cost), but not counted as one.
     */
    public LoadResult<J> reattachDone(String model, long bytes, long ms) {
        return installed(model, bytes, ms, cache.completeReattach(model, bytes, ms));
    }

    private LoadResult<J> installed(String model, long bytes, long ms, Optional<List<String>> victims) {
        loadInFlight = false;
        Measured m = measured(model);
        m.bytes = bytes;
        if (victims.isEmpty()) {
            return new LoadResult.Refused<>(new Step.Fail<>(removeModel(model), ErrorCode.OUT_OF_DEVICE_MEMORY,
                    bytes > cache.capacity()
                            ? "model '" + model + "' needs " + bytes + " bytes but device " + device + " has " + cache.capacity()
                                    + " in all"
                            : "model '" + model + "' needs " + bytes + " bytes; models in use leave too little free on "
                                    + device));
        }
        m.loadMs = ms;
        return new LoadResult.Installed<>(victims.get());
    }

    private Measured measured(String model) {
        return measured.computeIfAbsent(model, k -> new Measured());
    }

    /** A model's measurements here: bytes 0 until a load measured them, load time -1 until one succeeded. */
    private static final class Measured {
        long bytes;
        long loadMs = -1;
    }

    /** What came of a finished load. */
    public sealed interface LoadResult<J> {
        /** Resident; unload these to make room. */
        record Installed<J>(List<String> evicted) implements LoadResult<J> {}

        /** It did not fit: unload nothing, close the model, and fail these. */
        record Refused<J>(Step.Fail<J> failure) implements LoadResult<J> {}
    }

    /**
     * A load failed because the model needs {@code measuredBytes} (when above 0): remembered,
     * so the router's report says so and the next admission knows it.
     */
    public Step.Fail<J> loadFailed(String model, ErrorCode code, String message, long measuredBytes) {
        if (measuredBytes > 0) {
            measured(model).bytes = measuredBytes;
        }
        return loadFailed(model, code, message);
    }

    /** A load failed (or could not start): every queued invocation of the model fails with it. */
    public Step.Fail<J> loadFailed(String model, ErrorCode code, String message) {
        loadInFlight = false;
        if (cache.isLoading(model)) {
            cache.loadFailed(model);
        }
        return new Step.Fail<>(removeModel(model), code, message);
    }

    private List<J> removeModel(String model) {
        List<J> jobs = new ArrayList<>();
        for (Queued<J> q : queue.removeModel(model)) {
            cache.dequeued(model);
            jobs.add(q.job);
        }
        return jobs;
    }

    /**
     * A batch finished after {@code elapsedMs}, whatever its outcome: its slot, pins and decoded
     * bytes are free, and its time per invocation updates the backlog's estimate.
     */
    public void batchDone(Step.Run<J> run, double elapsedMs) {
        double sample = Math.max(0, elapsedMs) / run.batch().size();
        msPerInvocation = Double.isNaN(msPerInvocation) ? sample : (1 - SMOOTHING) * msPerInvocation + SMOOTHING * sample;
        runningBatches--;
        runningJobs -= run.batch().size();
        decodedInFlight -= run.decodedBytes();
        cache.unpin(run.model(), run.batch().size());
        blocked.clear();
    }

    /**
     * How long the work queued here would keep the device busy, from this worker's own run times:
     * the queued invocations over the batches that run at once, plus what is left of a load in
     * flight. No transport delay is in it, so a busy host (a broker, a JIT, a client beside the
     * job) does not read as queueing. The router's credits follow it.
     */
    public double backlogMs(long nowMs) {
        double perInvocation = Double.isNaN(msPerInvocation) ? 0 : msPerInvocation;
        double runs = queue.size() * perInvocation / settings.concurrency();
        double load = loadInFlight ? Math.max(0, loadCostMs - (nowMs - loadStartedMs)) : 0;
        return runs + load;
    }

    /** Evicts on the router's instruction, skipping any in use; returns what was evicted. */
    public List<String> evict(List<String> victims) {
        List<String> evicted = new ArrayList<>();
        for (String v : victims) {
            if (cache.evict(v)) {
                evicted.add(v);
            }
        }
        return evicted;
    }

    /**
     * Admits a model reloaded from a checkpoint before any invocation arrives; false if it does
     * not fit. Then {@link #loadDone} or {@link #loadFailed}.
     */
    public boolean admitWarm(CachedModel m) {
        if (cache.admit(m.model(), m.bytes(), m.loadCost()) instanceof Admission.Admitted) {
            loadInFlight = true;
            return true;
        }
        return false;
    }

    public void restoreStatistics(CachedModel m) {
        cache.restoreStatistics(m);
    }

    /** Bytes {@code model} holds on the device now, 0 if it is not resident. */
    public long residentBytes(String model) {
        return cache.isReady(model) ? cache.entry(model).map(e -> e.bytes()).orElse(0L) : 0L;
    }

    /**
     * What a load of {@code model} measured here: its resident bytes, or the footprint of a load
     * refused for not fitting (so the router learns that it cannot fit); 0 if never loaded here.
     */
    public long measuredBytes(String model) {
        long resident = residentBytes(model);
        Measured m = measured.get(model);
        return resident > 0 ? resident : m == null ? 0 : m.bytes;
    }

    /** Throws if the cache's accounting is inconsistent ({@link io.gpufaas.core.cache.ModelCache#checkInvariants}). */
    public void checkInvariants() {
        cache.checkInvariants();
    }

    /** Whether invocations of {@code model} wait here to run. */
    public boolean isQueued(String model) {
        return cache.queued(model) > 0;
    }

    public long lastLoadMs(String model) {
        Measured m = measured.get(model);
        return m == null || m.loadMs < 0 ? 0 : m.loadMs;
    }

    public List<CachedModel> snapshot() {
        return cache.snapshot();
    }

    public double policyState() {
        return cache.policy().state();
    }

    public void restorePolicyState(double state) {
        cache.policy().restoreState(state);
    }

    /** Point-in-time figures for gauges. */
    public record Stats(int queued, int running, long usedBytes, long capacityBytes, CacheStats cache) {}

    public Stats stats() {
        return new Stats(queue.size() + (parked == null ? 0 : parked.batch().size()), runningJobs, cache.usedBytes(),
                cache.capacity(), cache.stats());
    }
}
