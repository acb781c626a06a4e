package io.gpufaas.operators.worker;

import io.gpufaas.core.cache.Admission;
import io.gpufaas.core.cache.CacheStats;
import io.gpufaas.core.cache.CachedModel;
import io.gpufaas.core.cache.EvictionPolicies;
import io.gpufaas.core.cache.ModelCache;
import io.gpufaas.core.contract.ErrorMessages;
import io.gpufaas.core.contract.FatalErrors;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Placement;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.Timing;
import io.gpufaas.core.worker.Dispatch;
import io.gpufaas.core.worker.ModelState;
import io.gpufaas.core.worker.WorkerQueue;
import io.gpufaas.udf.ExecutionOutcome;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.udf.FunctionRegistry;
import io.gpufaas.udf.InferenceFunction;
import io.gpufaas.udf.LoadOutcome;
import io.gpufaas.udf.LoadedModel;
import io.gpufaas.udf.device.ComputeDevice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * Runs invocations on one device: a {@link ModelCache} of resident models, a {@link WorkerQueue}
 * deciding the order (FIFO, out-of-order run-ahead, batching), one loader thread (loads share the
 * host-to-device link) and {@code concurrency} execution threads. Plain Java, no Flink: the
 * operator feeds it and hands its results back to Flink. Every submitted invocation completes
 * exactly once: OK, ERROR or EXPIRED.
 *
 * <p>Whatever a load or a run throws, {@link Error}s included (a heap exhausted by one input, a
 * stack overflow in an engine), ends the invocations it concerns as {@code INTERNAL} errors and
 * gives back what they held: the execution slot, the model's pins, the load slot, the decoded
 * bytes. Decoded input in memory is bounded by {@link WorkerSettings#maxDecodedBytes()}: a batch
 * that would exceed it waits (claimed, its model pinned) until running batches finish, unless
 * nothing runs.
 */
public final class DeviceWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceWorker.class);

    /** Assumed host-to-device bandwidth for a model never loaded here; replaced by measurement. */
    private static final double ASSUMED_LOAD_BYTES_PER_MS = 500_000;

    /** What the worker reports as it goes, for metrics. */
    public interface Listener {
        /** An invocation was queued; {@code hit} if its model was resident. */
        default void onSubmit(boolean hit) {}

        default void onLoad(String model, long millis, long bytes) {}

        default void onBatch(String model, int size, long millis) {}

        default void onEvict(String model) {}

        /** A load or run threw; the invocations it concerned ended as errors. */
        default void onError(String model, Throwable error) {}
    }

    private static final class Job {
        final Invocation invocation;
        final Consumer<InvocationResult> done;
        final boolean hit;

        Job(Invocation invocation, Consumer<InvocationResult> done, boolean hit) {
            this.invocation = invocation;
            this.done = done;
            this.hit = hit;
        }
    }

    private final int worker;
    private final ComputeDevice device;
    private final FunctionRegistry registry;
    private final WorkerSettings settings;
    private final Listener listener;
    private final ModelCache cache;
    private final WorkerQueue<Job> queue;
    private final Map<String, LoadedModel> models = new HashMap<>();
    private final Map<String, Long> lastLoadMs = new HashMap<>();
    /** Footprints measured by loads on this device: better than any estimate. */
    private final Map<String, Long> measuredBytes = new HashMap<>();
    private final Set<String> blocked = new HashSet<>();
    private final ExecutorService runPool;
    private final ExecutorService loadPool;
    private final ScheduledExecutorService timer;
    private int runningJobs;
    private int runningBatches;
    /** Estimated decoded-input bytes of the running batches. */
    private long decodedInFlight;
    /** A claimed batch waiting for decoded-input room: its model pinned, its jobs off the queue. */
    private Claimed parked;
    private boolean loadInFlight;
    private boolean closed;

    public DeviceWorker(int worker, ComputeDevice device, FunctionRegistry registry, WorkerSettings settings,
            Listener listener) {
        this.worker = worker;
        this.device = device;
        this.registry = registry;
        this.settings = settings;
        this.listener = listener;
        this.cache = new ModelCache(device.totalMemoryBytes(), EvictionPolicies.create(settings.evictionPolicy()));
        this.queue = new WorkerQueue<>(settings.maxBatch(), settings.maxBatchDelayMs(), settings.outOfOrder(),
                settings.maxBypass());
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
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("worker " + worker + " is closed");
            }
            boolean hit = cache.isReady(inv.function());
            if (!hit) {
                cache.recordMiss();
            }
            listener.onSubmit(hit);
            cache.enqueued(inv.function());
            queue.add(new Job(inv, done, hit), inv.function(), now(), inv.deadlineMs());
        }
        pump();
    }

    /**
     * Loads the models of a restored checkpoint before any invocation is taken, highest priority
     * first, as many as fit. Returns the models now resident.
     */
    public List<String> warmUp(List<CachedModel> snapshot) {
        List<String> loaded = new ArrayList<>();
        for (CachedModel m : ModelCache.warmPlan(snapshot, device.totalMemoryBytes())) {
            Optional<InferenceFunction> function = registry.function(m.model());
            if (function.isEmpty()) {
                LOG.warn("worker {}: checkpointed model {} is no longer deployed; not reloading it", worker, m.model());
                continue;
            }
            synchronized (this) {
                if (!(cache.admit(m.model(), m.bytes(), m.loadCost()) instanceof Admission.Admitted)) {
                    continue;
                }
            }
            long start = now();
            LoadOutcome outcome;
            try {
                outcome = function.get().load(device);
            } catch (Throwable t) {
                FatalErrors.rethrowIfFatal(t);
                failed(m.model(), t, "warm reload", List.of());
                outcome = LoadOutcome.failed(ErrorCode.MODEL_LOAD_FAILED, ErrorMessages.brief(t));
            }
            long ms = now() - start;
            synchronized (this) {
                if (outcome instanceof LoadOutcome.Loaded l && install(m.model(), l.model(), ms)) {
                    cache.restoreStatistics(m);
                    loaded.add(m.model());
                } else if (outcome instanceof LoadOutcome.Failed f) {
                    cache.loadFailed(m.model());
                    LOG.warn("worker {}: warm reload of {} failed: {} {}", worker, m.model(), f.code(), f.message());
                }
            }
        }
        LOG.info("worker {} on {}: warm restore reloaded {} of {} checkpointed models: {}", worker, device.id(),
                loaded.size(), snapshot.size(), loaded);
        return loaded;
    }

    /**
     * Evicts models on the router's instruction, skipping any in use (the router never asks for
     * those; a stale plan can). Returns the models evicted.
     */
    public List<String> evict(List<String> victims) {
        List<String> evicted = new ArrayList<>();
        synchronized (this) {
            for (String v : victims) {
                if (cache.evict(v)) {
                    evicted.add(v);
                }
            }
            unload(evicted);
        }
        return evicted;
    }

    /** Models resident and ready now, for the router's reconciliation. */
    public synchronized List<String> residentModels() {
        return new ArrayList<>(models.keySet());
    }

    /** Bytes {@code model} holds on the device now, 0 if it is not resident. */
    public synchronized long residentBytes(String model) {
        return cache.isReady(model) ? cache.entry(model).map(e -> e.bytes()).orElse(0L) : 0L;
    }

    public synchronized List<CachedModel> snapshot() {
        return cache.snapshot();
    }

    public synchronized double policyState() {
        return cache.policy().state();
    }

    public synchronized void restorePolicyState(double state) {
        cache.policy().restoreState(state);
    }

    /** Point-in-time figures for gauges. */
    public record Stats(int queued, int running, long usedBytes, long capacityBytes, int residentModels, CacheStats cache) {}

    public synchronized Stats stats() {
        return new Stats(queue.size() + (parked == null ? 0 : parked.batch.size()), runningJobs, cache.usedBytes(), cache.capacity(), models.size(), cache.stats());
    }

    private long now() {
        return System.currentTimeMillis();
    }

    private ModelState state(String model) {
        if (cache.isReady(model)) {
            return ModelState.READY;
        }
        if (cache.isLoading(model)) {
            return ModelState.LOADING;
        }
        // One load at a time: while one is in flight, other absent models wait as if blocked.
        return blocked.contains(model) || loadInFlight ? ModelState.BLOCKED : ModelState.ABSENT;
    }

    /** A batch taken off the queue with its model pinned, and the decoded bytes it will hold. */
    private record Claimed(String model, List<Job> batch, long decodedBytes) {}

    /** Dispatches whatever can run now. Called after every event that may have freed something. */
    private void pump() {
        List<Runnable> completions = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            long now = now();
            for (Job expired : queue.removeExpired(now)) {
                cache.dequeued(expired.invocation.function());
                long waited = Math.max(0, now - expired.invocation.arrivedAtMs());
                InvocationResult r = InvocationResult.expired(expired.invocation, new Timing(waited, 0, 0, waited),
                        placement(expired), now);
                completions.add(() -> expired.done.accept(r));
            }
            while (runningBatches < settings.concurrency()) {
                if (parked != null) {
                    if (!roomFor(parked.decodedBytes)) {
                        break;
                    }
                    Claimed next = parked;
                    parked = null;
                    launch(next, completions);
                    continue;
                }
                Dispatch<Job> d = queue.next(now, this::state);
                if (d instanceof Dispatch.Run<Job> run) {
                    Claimed claimed = claim(run.model(), run.batch(), completions);
                    if (claimed == null) {
                        continue;
                    }
                    if (!roomFor(claimed.decodedBytes)) {
                        parked = claimed;
                        break;
                    }
                    launch(claimed, completions);
                } else if (d instanceof Dispatch.Load<Job> load) {
                    try {
                        startLoad(load.model(), completions);
                    } catch (Throwable t) {
                        FatalErrors.rethrowIfFatal(t);
                        failed(load.model(), t, "starting the load", List.of());
                        loadInFlight = false;
                        if (cache.isLoading(load.model())) {
                            cache.loadFailed(load.model());
                        }
                        failModel(load.model(), ErrorCode.INTERNAL, "loading the model failed: " + ErrorMessages.brief(t),
                                completions);
                    }
                } else if (d instanceof Dispatch.WaitUntil<Job> wait) {
                    timer.schedule(this::pump, Math.max(1, wait.atMs() - now), TimeUnit.MILLISECONDS);
                    break;
                } else {
                    break;
                }
            }
        }
        completeAll(completions);
    }

    /** Under the lock: one batch always runs, so a single large one cannot wait forever. */
    private boolean roomFor(long decodedBytes) {
        return runningBatches == 0 || decodedInFlight + decodedBytes <= settings.maxDecodedBytes();
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

    /** Under the lock. */
    private void startLoad(String model, List<Runnable> completions) {
        // A function deployed while the job runs is read from the repository on first use.
        Optional<InferenceFunction> function = registry.function(model).or(() -> registry.refresh(model));
        if (function.isEmpty()) {
            failModel(model, ErrorCode.INTERNAL, "function '" + model + "' is not deployed on worker " + worker, completions);
            return;
        }
        // An estimate (file size) is only a guess: never let it alone refuse a model. Reserve at
        // most the whole device; the measured footprint decides after the load, and is then known.
        long estimate = measuredBytes.containsKey(model)
                ? measuredBytes.get(model)
                : Math.min(function.get().estimatedFootprintBytes(), cache.capacity());
        double cost = lastLoadMs.containsKey(model) ? lastLoadMs.get(model) : estimate / ASSUMED_LOAD_BYTES_PER_MS;
        Admission admission = cache.admit(model, estimate, cost);
        if (admission instanceof Admission.Admitted admitted) {
            unload(admitted.victims());
            loadInFlight = true;
            loadPool.execute(() -> load(model, function.get()));
        } else if (admission instanceof Admission.TooLarge tooLarge) {
            failModel(model, ErrorCode.OUT_OF_DEVICE_MEMORY, "model '" + model + "' needs " + tooLarge.bytes()
                    + " bytes but device " + device.id() + " has " + tooLarge.capacity() + " in all", completions);
        } else if (admission instanceof Admission.NoRoomNow) {
            blocked.add(model);
        }
    }

    private void load(String model, InferenceFunction function) {
        long start = now();
        LoadOutcome outcome;
        try {
            outcome = function.load(device);
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            failed(model, t, "loading", List.of());
            outcome = LoadOutcome.failed(ErrorCode.MODEL_LOAD_FAILED, "loading the model failed: " + ErrorMessages.brief(t));
        }
        long ms = now() - start;
        List<Runnable> completions = new ArrayList<>();
        synchronized (this) {
            loadInFlight = false;
            if (closed) {
                if (outcome instanceof LoadOutcome.Loaded l) {
                    l.model().close();
                }
                return;
            }
            try {
                if (outcome instanceof LoadOutcome.Loaded l) {
                    long bytes = l.model().footprint().bytes();
                    if (install(model, l.model(), ms)) {
                        listener.onLoad(model, ms, bytes);
                    } else {
                        failModel(model, ErrorCode.OUT_OF_DEVICE_MEMORY, bytes > cache.capacity()
                                ? "model '" + model + "' needs " + bytes + " bytes but device " + device.id() + " has "
                                        + cache.capacity() + " in all"
                                : "model '" + model + "' needs " + bytes + " bytes; models in use leave too little free on "
                                        + device.id(), completions);
                    }
                } else if (outcome instanceof LoadOutcome.Failed f) {
                    cache.loadFailed(model);
                    failModel(model, f.code(), f.message(), completions);
                }
            } catch (Throwable t) {
                FatalErrors.rethrowIfFatal(t);
                failed(model, t, "installing", List.of());
                if (cache.isLoading(model)) {
                    cache.loadFailed(model);
                }
                failModel(model, ErrorCode.INTERNAL, "installing the model failed: " + ErrorMessages.brief(t), completions);
            }
        }
        completeAll(completions);
        pump();
    }

    /** Under the lock: accounts a finished load; false (and the model closed) if it does not fit. */
    private boolean install(String model, LoadedModel loaded, long ms) {
        measuredBytes.put(model, loaded.footprint().bytes());
        Optional<List<String>> victims = cache.completeLoad(model, loaded.footprint().bytes(), ms);
        if (victims.isEmpty()) {
            loaded.close();
            return false;
        }
        unload(victims.get());
        models.put(model, loaded);
        lastLoadMs.put(model, ms);
        return true;
    }

    /** Under the lock: victims are not pinned, so no batch is running on them. */
    private void unload(List<String> victims) {
        for (String v : victims) {
            LoadedModel m = models.remove(v);
            if (m != null) {
                m.close();
            }
            listener.onEvict(v);
        }
    }

    /** Under the lock. */
    private void failModel(String model, ErrorCode code, String message, List<Runnable> completions) {
        long now = now();
        for (Job job : queue.removeModel(model)) {
            cache.dequeued(model);
            long waited = Math.max(0, now - job.invocation.arrivedAtMs());
            InvocationResult r = InvocationResult.error(job.invocation, code, message,
                    new Timing(waited, 0, 0, waited), placement(job), now);
            completions.add(() -> job.done.accept(r));
        }
    }

    /**
     * Under the lock: takes the batch off the queue's books and pins its model, so nothing evicts
     * it before the batch has run. Null (and the batch ended as errors) if that fails.
     */
    private Claimed claim(String model, List<Job> batch, List<Runnable> completions) {
        LoadedModel loaded = models.get(model);
        for (Job job : batch) {
            if (job.hit) {
                cache.recordHit(model);
            }
            cache.dequeued(model);
            cache.pin(model);
        }
        long bytes = 0;
        try {
            for (Job job : batch) {
                bytes += loaded.workingBytes(job.invocation.input());
            }
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            failed(model, t, "sizing the inputs", batch);
            for (int i = 0; i < batch.size(); i++) {
                cache.unpin(model);
            }
            long now = now();
            for (Job job : batch) {
                InvocationResult r = internal(job, "sizing the input failed: " + ErrorMessages.brief(t), now, now);
                completions.add(() -> job.done.accept(r));
            }
            return null;
        }
        return new Claimed(model, batch, bytes);
    }

    /** Under the lock. */
    private void launch(Claimed claimed, List<Runnable> completions) {
        LoadedModel loaded = models.get(claimed.model);
        runningBatches++;
        runningJobs += claimed.batch.size();
        decodedInFlight += claimed.decodedBytes;
        long loadMs = lastLoadMs.getOrDefault(claimed.model, 0L);
        try {
            runPool.execute(() -> runBatch(claimed, loaded, loadMs));
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            failed(claimed.model, t, "scheduling the batch", claimed.batch);
            release(claimed);
            long now = now();
            for (Job job : claimed.batch) {
                InvocationResult r = internal(job, "the worker could not run it: " + ErrorMessages.brief(t), now, now);
                completions.add(() -> job.done.accept(r));
            }
        }
    }

    /** Under the lock: gives back what a launched batch held. */
    private void release(Claimed claimed) {
        runningBatches--;
        runningJobs -= claimed.batch.size();
        decodedInFlight -= claimed.decodedBytes;
        for (int i = 0; i < claimed.batch.size(); i++) {
            cache.unpin(claimed.model);
        }
        blocked.clear();
    }

    private void runBatch(Claimed claimed, LoadedModel loaded, long loadMs) {
        String model = claimed.model;
        List<Job> batch = claimed.batch;
        long start = now();
        List<ExecutionOutcome> outcomes;
        try {
            List<Payload> inputs = new ArrayList<>(batch.size());
            batch.forEach(j -> inputs.add(j.invocation.input()));
            outcomes = loaded.runBatch(inputs);
            if (outcomes == null || outcomes.size() != batch.size()) {
                throw new IllegalStateException(model + " returned " + (outcomes == null ? "no" : outcomes.size())
                        + " outcomes for " + batch.size() + " inputs");
            }
        } catch (Throwable t) {
            // A bug, an engine crash or an exhausted heap must not lose the invocations or the slot.
            FatalErrors.rethrowIfFatal(t);
            failed(model, t, "running a batch", batch);
            ExecutionOutcome failure = ExecutionOutcome.failure(ErrorCode.INTERNAL,
                    "the function failed: " + ErrorMessages.brief(t));
            outcomes = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                outcomes.add(failure);
            }
        } finally {
            synchronized (this) {
                release(claimed);
            }
        }
        long end = now();
        try {
            listener.onBatch(model, batch.size(), end - start);
        } catch (RuntimeException e) {
            LOG.warn("worker {}: batch listener failed", worker, e);
        }
        List<Runnable> completions = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Job job = batch.get(i);
            Invocation inv = job.invocation;
            long ownLoad = job.hit ? 0 : loadMs;
            long waited = Math.max(0, start - inv.arrivedAtMs() - ownLoad);
            Timing timing = new Timing(waited, ownLoad, end - start, Math.max(0, end - inv.arrivedAtMs()));
            ExecutionOutcome outcome = outcomes.get(i);
            InvocationResult r = outcome instanceof ExecutionOutcome.Success s
                    ? InvocationResult.ok(inv, s.outputJson(), timing, placement(job), end)
                    : InvocationResult.error(inv, ((ExecutionOutcome.Failure) outcome).code(),
                            ((ExecutionOutcome.Failure) outcome).message(), timing, placement(job), end);
            completions.add(() -> job.done.accept(r));
        }
        completeAll(completions);
        pump();
    }

    private InvocationResult internal(Job job, String message, long startMs, long endMs) {
        Invocation inv = job.invocation;
        long waited = Math.max(0, startMs - inv.arrivedAtMs());
        return InvocationResult.internalError(inv, message, new Timing(waited, 0, endMs - startMs,
                Math.max(0, endMs - inv.arrivedAtMs())), placement(job), endMs);
    }

    private Placement placement(Job job) {
        return new Placement(worker, device.id(), job.hit);
    }

    @Override
    public void close() {
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
            models.values().forEach(LoadedModel::close);
            models.clear();
        }
    }
}
