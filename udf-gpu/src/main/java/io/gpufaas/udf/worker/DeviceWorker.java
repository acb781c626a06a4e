package io.gpufaas.udf.worker;

import io.gpufaas.core.cache.CacheStats;
import io.gpufaas.core.cache.CachedModel;
import io.gpufaas.core.cache.ModelCache;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.ErrorMessages;
import io.gpufaas.core.contract.FatalErrors;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.time.Clock;
import io.gpufaas.core.worker.WorkerCore;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.udf.FunctionRegistry;
import io.gpufaas.udf.api.InferenceFunction;
import io.gpufaas.udf.api.LoadOutcome;
import io.gpufaas.udf.api.LoadedModel;
import io.gpufaas.udf.device.ComputeDevice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs invocations on one device: the decisions are {@link WorkerCore}'s (the same class the
 * simulator drives); this class carries them out with real models on threads. One loader thread
 * (loads share the host-to-device link), {@code concurrency} execution threads, and a timer for
 * deadlines and batch delays. Plain Java, no Flink: the worker operator feeds it and hands its
 * results back to Flink. Every submitted invocation completes exactly once: OK, ERROR or EXPIRED.
 *
 * <p>Whatever a load or a run throws, {@link Error}s included (a heap exhausted by one input, a
 * stack overflow in an engine), ends the invocations it concerns as errors and gives back what they
 * held: the execution slot, the model's pins, the load slot, the decoded bytes
 * ({@link Listener#onError}).
 */
public final class DeviceWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceWorker.class);

    /** What the worker reports as it goes, for metrics. */
    public interface Listener {
        default void onLoad(String model, long millis, long bytes) {}

        default void onBatch(String model, int size, long millis) {}

        /** A load or run threw; the invocations it concerned ended as errors. */
        default void onError(String model, Throwable error) {}
    }

    /**
     * Where an invocation's result goes. {@code ends} is how many invocations this completion ends
     * for the router: the last of a batch ends the whole batch, the others 0, one that ended
     * alone (expired, failed to load) 1. A caller reporting per batch reports where it is above 0.
     */
    @FunctionalInterface
    public interface Completion {
        void done(InvocationResult result, int ends);
    }

    /** An invocation in the worker, with where its result goes. */
    private static final class Job {
        final Invocation invocation;
        final Completion done;
        boolean hit;

        Job(Invocation invocation, Completion done) {
            this.invocation = invocation;
            this.done = done;
        }
    }

    private final int worker;
    private final ComputeDevice device;
    private final FunctionRegistry registry;
    private final Listener listener;
    private final Clock clock;
    private final WorkerCore<Job> core;
    private final Results results;
    private final Map<String, LoadedModel> models = new HashMap<>();
    private int reattached;
    private final ExecutorService runPool;
    private final ExecutorService loadPool;
    private final ScheduledExecutorService timer;
    private boolean closed;
    /** Per function, the model version its latest invocation asked for ({@link io.gpufaas.core.contract.ModelKeys}). */
    private final Map<String, String> currentVersion = new HashMap<>();
    /** Older versions to unload once nothing runs on them: a DEPLOY rolled their function forward (or back). */
    private final java.util.Set<String> retiring = new java.util.HashSet<>();

    public DeviceWorker(int worker, ComputeDevice device, FunctionRegistry registry, WorkerSettings settings,
            Listener listener) {
        this(worker, device, registry, settings, listener, Clock.system());
    }

    public DeviceWorker(int worker, ComputeDevice device, FunctionRegistry registry, WorkerSettings settings,
            Listener listener, Clock clock) {
        this.worker = worker;
        this.device = device;
        this.registry = registry;
        this.listener = listener;
        this.clock = clock;
        this.results = new Results(worker, device.id());
        // What an input holds decoded is the loaded model's to say; it is resident when asked.
        this.core = new WorkerCore<>(device.id(), device.totalMemoryBytes(), settings, registry,
                (model, job) -> models.containsKey(model) ? models.get(model).workingBytes(job.invocation.input()) : 0);
        this.runPool = Executors.newFixedThreadPool(settings.concurrency(), threads("gpufaas-exec-" + worker));
        this.loadPool = Executors.newSingleThreadExecutor(threads("gpufaas-load-" + worker));
        this.timer = Executors.newSingleThreadScheduledExecutor(threads("gpufaas-timer-" + worker));
        // Deadlines pass while nothing else happens: look at the queue regularly.
        timer.scheduleWithFixedDelay(this::pump, 100, 100, TimeUnit.MILLISECONDS);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public ComputeDevice device() {
        return device;
    }

    /** Queues an invocation; {@code done} is called exactly once, from a worker thread. */
    public void submit(Invocation inv, Consumer<InvocationResult> done) {
        submit(inv, (result, ends) -> done.accept(result));
    }

    /** Queues an invocation; {@code done} is called exactly once, from a worker thread, with what it ends. */
    public void submit(Invocation inv, Completion done) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("worker " + worker + " is closed");
            }
            Job job = new Job(inv, done);
            job.hit = core.submit(job, inv.model(), clock.millis(), inv.deadlineMs());
            retireOtherVersions(inv);
        }
        pump();
    }

    /**
     * Loads the models of a restored checkpoint before any invocation is taken, highest priority
     * first, as many as fit. Returns the models now resident.
     */
    public List<String> warmUp(List<CachedModel> snapshot) {
        return warmUp(snapshot, new ParkedModels());
    }

    /**
     * As {@link #warmUp(List)}, taking a model from {@code parked} instead of loading it when this
     * device's previous worker left it there; what this worker does not take is released, so
     * device memory holds nothing it does not account for.
     */
    public List<String> warmUp(List<CachedModel> snapshot, ParkedModels parked) {
        List<String> loaded = new ArrayList<>();
        for (CachedModel m : ModelCache.warmPlan(snapshot, device.totalMemoryBytes())) {
            Optional<InferenceFunction> function = registry.function(m.model()).or(() -> registry.refresh(m.model()));
            if (function.isEmpty()) {
                LOG.warn("worker {}: checkpointed model {} is no longer deployed; not reloading it", worker, m.model());
                continue;
            }
            synchronized (this) {
                if (!core.admitWarm(m)) {
                    continue;
                }
            }
            Optional<LoadedModel> kept = parked.take(device.id(), m.model());
            long start = clock.millis();
            LoadOutcome outcome = kept.<LoadOutcome>map(LoadOutcome.Loaded::new).orElseGet(() -> load(m.model(), function.get()));
            long ms = kept.isPresent() ? (long) m.loadCost() : clock.millis() - start;
            synchronized (this) {
                if (outcome instanceof LoadOutcome.Loaded l && install(m.model(), l.model(), ms, kept.isPresent(),
                        new ArrayList<>())) {
                    core.restoreStatistics(m);
                    loaded.add(m.model());
                    reattached += kept.isPresent() ? 1 : 0;
                } else if (outcome instanceof LoadOutcome.Failed f) {
                    core.loadFailed(m.model(), f.code(), f.message());
                    LOG.warn("worker {}: warm reload of {} failed: {} {}", worker, m.model(), f.code(), f.message());
                }
            }
        }
        int released = parked.release(device.id());
        if (!snapshot.isEmpty() || released > 0) {
            LOG.info("worker {} on {}: warm restore made {} of {} checkpointed models resident ({} kept in device memory "
                    + "from the previous run, the rest loaded), released {} it did not need: {}", worker, device.id(),
                    loaded.size(), snapshot.size(), reattached, released, loaded);
        }
        return loaded;
    }

    /** Models the last warm restore took over from this device's previous worker instead of loading. */
    public synchronized int reattached() {
        return reattached;
    }

    /**
     * Evicts models on the router's instruction, skipping any in use (the router never asks for
     * those; a stale plan can). Returns the models evicted.
     */
    public List<String> evict(List<String> victims) {
        synchronized (this) {
            List<String> evicted = core.evict(victims);
            unload(evicted);
            return evicted;
        }
    }

    /** Models resident and ready now, for the router's reconciliation. */
    public synchronized List<String> residentModels() {
        return new ArrayList<>(models.keySet());
    }

    /** Bytes {@code model} holds on the device now, 0 if it is not resident. */
    public synchronized long residentBytes(String model) {
        return core.residentBytes(model);
    }

    /** What a load of {@code model} measured here ({@link WorkerCore#measuredBytes}), for the router's report. */
    public synchronized long measuredBytes(String model) {
        return core.measuredBytes(model);
    }

    public synchronized List<CachedModel> snapshot() {
        return core.snapshot();
    }

    public synchronized double policyState() {
        return core.policyState();
    }

    public synchronized void restorePolicyState(double state) {
        core.restorePolicyState(state);
    }

    /** Point-in-time figures for gauges. */
    public record Stats(int queued, int running, long usedBytes, long capacityBytes, int residentModels, CacheStats cache) {}

    /** How long the work queued here would keep the device busy ({@link WorkerCore#backlogMs}). */
    public synchronized double backlogMs() {
        return core.backlogMs(clock.millis());
    }

    public synchronized Stats stats() {
        WorkerCore.Stats s = core.stats();
        return new Stats(s.queued(), s.running(), s.usedBytes(), s.capacityBytes(), models.size(), s.cache());
    }

    /**
     * Under the lock: {@code inv} asks for its function's model at {@code inv.version()}; any other
     * version resident here is retired, unloaded as soon as no batch runs on it.
     */
    private void retireOtherVersions(Invocation inv) {
        String model = inv.model();
        String before = currentVersion.put(inv.function(), model);
        retiring.remove(model); // a roll-back asks for a retired version again
        if (before != null && !before.equals(model)) {
            retiring.add(before);
            LOG.info("worker {}: {} now serves {}; retiring {}", worker, inv.function(), model, before);
        }
        unloadRetired();
    }

    /** Under the lock: unloads the retired versions nothing is running on (the core skips pinned ones). */
    private void unloadRetired() {
        if (retiring.isEmpty()) {
            return;
        }
        List<String> idle = new ArrayList<>();
        for (String m : retiring) {
            if (!core.isQueued(m)) {
                idle.add(m); // one still waited for finishes on the version it was accepted for
            }
        }
        List<String> evicted = core.evict(idle);
        unload(evicted);
        evicted.forEach(retiring::remove);
        retiring.removeIf(m -> !models.containsKey(m) && core.residentBytes(m) == 0 && !core.isQueued(m));
    }

    /** Carries out whatever the core says can start now. Called after every event that may have freed something. */
    private void pump() {
        List<Runnable> completions = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            unloadRetired();
            long now = clock.millis();
            for (Job expired : core.expire(now)) {
                InvocationResult r = results.expired(expired.invocation, expired.hit, now);
                completions.add(() -> expired.done.done(r, 1));
            }
            for (WorkerCore.Step<Job> step : core.next(now)) {
                if (step instanceof WorkerCore.Step.Run<Job> run) {
                    start(run, completions);
                } else if (step instanceof WorkerCore.Step.Load<Job> load) {
                    startLoad(load, completions);
                } else if (step instanceof WorkerCore.Step.Fail<Job> fail) {
                    fail(fail, completions);
                } else if (step instanceof WorkerCore.Step.WakeAt<Job> wake) {
                    timer.schedule(this::pump, Math.max(1, wake.atMs() - now), TimeUnit.MILLISECONDS);
                }
            }
        }
        completeAll(completions);
    }

    /** Under the lock. */
    private void startLoad(WorkerCore.Step.Load<Job> load, List<Runnable> completions) {
        String model = load.model();
        try {
            // A function deployed while the job runs is read from the repository on first use.
            Optional<InferenceFunction> function = registry.function(model).or(() -> registry.refresh(model));
            if (function.isEmpty()) {
                fail(core.loadFailed(model, ErrorCode.INTERNAL, "function '" + model + "' is not deployed on worker "
                        + worker), completions);
                return;
            }
            unload(load.evicted());
            loadPool.execute(() -> loaded(model, function.get()));
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            failed(model, t, "starting the load", List.of());
            fail(core.loadFailed(model, ErrorCode.INTERNAL, "loading the model failed: " + ErrorMessages.brief(t)),
                    completions);
        }
    }

    /** Loads a model, turning anything it throws into a failed load. */
    private LoadOutcome load(String model, InferenceFunction function) {
        try {
            return function.load(device);
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            failed(model, t, "loading", List.of());
            return LoadOutcome.failed(ErrorCode.MODEL_LOAD_FAILED, "loading the model failed: " + ErrorMessages.brief(t));
        }
    }

    private void loaded(String model, InferenceFunction function) {
        long start = clock.millis();
        LoadOutcome outcome = load(model, function);
        long ms = clock.millis() - start;
        List<Runnable> completions = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                if (outcome instanceof LoadOutcome.Loaded l) {
                    l.model().close();
                }
                return;
            }
            try {
                if (outcome instanceof LoadOutcome.Loaded l) {
                    if (install(model, l.model(), ms, completions)) {
                        listener.onLoad(model, ms, l.model().footprint().bytes());
                    }
                } else if (outcome instanceof LoadOutcome.Failed f) {
                    fail(core.loadFailed(model, f.code(), f.message(), f.measuredBytes()), completions);
                }
            } catch (Throwable t) {
                FatalErrors.rethrowIfFatal(t);
                failed(model, t, "installing", List.of());
                fail(core.loadFailed(model, ErrorCode.INTERNAL, "installing the model failed: " + ErrorMessages.brief(t)),
                        completions);
            }
        }
        completeAll(completions);
        pump();
    }

    /** Under the lock: accounts a finished load; false (the model closed, its invocations failed) if it does not fit. */
    private boolean install(String model, LoadedModel loaded, long ms, List<Runnable> completions) {
        return install(model, loaded, ms, false, completions);
    }

    private boolean install(String model, LoadedModel loaded, long ms, boolean reattach, List<Runnable> completions) {
        long bytes = loaded.footprint().bytes();
        WorkerCore.LoadResult<Job> result = reattach ? core.reattachDone(model, bytes, ms) : core.loadDone(model, bytes, ms);
        if (result instanceof WorkerCore.LoadResult.Refused<Job> refused) {
            loaded.close();
            fail(refused.failure(), completions);
            return false;
        }
        unload(((WorkerCore.LoadResult.Installed<Job>) result).evicted());
        models.put(model, loaded);
        return true;
    }

    /** Under the lock: victims are not pinned, so no batch is running on them. */
    private void unload(List<String> victims) {
        for (String v : victims) {
            LoadedModel m = models.remove(v);
            if (m != null) {
                m.close();
            }
        }
    }

    /** Under the lock. */
    private void fail(WorkerCore.Step.Fail<Job> fail, List<Runnable> completions) {
        long now = clock.millis();
        for (Job job : fail.jobs()) {
            InvocationResult r = results.failed(job.invocation, job.hit, fail.code(), fail.message(), now);
            completions.add(() -> job.done.done(r, 1));
        }
    }

    /** Under the lock. */
    private void start(WorkerCore.Step.Run<Job> run, List<Runnable> completions) {
        LoadedModel loaded = models.get(run.model());
        long loadMs = core.lastLoadMs(run.model());
        try {
            runPool.execute(() -> runBatch(run, loaded, loadMs));
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            failed(run.model(), t, "scheduling the batch", run.batch());
            core.batchDone(run, 0);
            fail(new WorkerCore.Step.Fail<>(run.batch(), ErrorCode.INTERNAL,
                    "the worker could not run it: " + ErrorMessages.brief(t)), completions);
        }
    }

    private void runBatch(WorkerCore.Step.Run<Job> run, LoadedModel loaded, long loadMs) {
        List<Invocation> invocations = new ArrayList<>(run.batch().size());
        List<Boolean> hits = new ArrayList<>(run.batch().size());
        run.batch().forEach(j -> {
            invocations.add(j.invocation);
            hits.add(j.hit);
        });
        long start = clock.millis();
        List<InvocationResult> out;
        try {
            out = results.ran(invocations, hits, loaded.runBatch(Results.inputs(invocations)), loadMs, start, clock.millis());
        } catch (Throwable t) {
            // A bug, an engine crash or an exhausted heap must not lose the invocations or the slot.
            FatalErrors.rethrowIfFatal(t);
            failed(run.model(), t, "running a batch", run.batch());
            out = results.crashed(invocations, hits, "the function failed: " + ErrorMessages.brief(t), loadMs, start,
                    clock.millis());
        } finally {
            synchronized (this) {
                core.batchDone(run, clock.millis() - start);
            }
        }
        try {
            listener.onBatch(run.model(), run.batch().size(), clock.millis() - start);
        } catch (RuntimeException e) {
            LOG.warn("worker {}: batch listener failed", worker, e);
        }
        List<Runnable> completions = new ArrayList<>();
        for (int i = 0; i < run.batch().size(); i++) {
            Job job = run.batch().get(i);
            InvocationResult r = out.get(i);
            int ends = i == run.batch().size() - 1 ? run.batch().size() : 0;
            completions.add(() -> job.done.done(r, ends));
        }
        completeAll(completions);
        pump();
    }

    private static void completeAll(List<Runnable> completions) {
        for (Runnable completion : completions) {
            try {
                completion.run();
            } catch (Throwable t) {
                FatalErrors.rethrowIfFatal(t);
                LOG.error("a completion callback failed", t);
            }
        }
    }

    private void failed(String model, Throwable t, String during, List<Job> jobs) {
        List<String> ids = new ArrayList<>();
        jobs.forEach(j -> ids.add(j.invocation.id()));
        LOG.error("worker {} on {}: {} of model {} threw (invocations {})", worker, device.id(), during, model, ids, t);
        try {
            listener.onError(model, t);
        } catch (RuntimeException e) {
            LOG.warn("worker {}: error listener failed", worker, e);
        }
    }

    @Override
    public void close() {
        close(null);
    }

    /**
     * Stops the worker. Its resident models go to {@code parkInto} (for the next worker on this
     * device) instead of being closed, when given; in-flight runs finish or are abandoned first.
     */
    public void close(ParkedModels parkInto) {
        synchronized (this) {
            closed = true;
        }
        timer.shutdownNow();
        loadPool.shutdownNow();
        runPool.shutdown();
        try {
            if (!runPool.awaitTermination(30, TimeUnit.SECONDS)) {
                runPool.shutdownNow();
            }
            loadPool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (parkInto != null && runPool.isTerminated()) {
                models.forEach((model, loaded) -> parkInto.park(device.id(), model, loaded));
            } else {
                models.values().forEach(LoadedModel::close);
            }
            models.clear();
        }
    }
}
