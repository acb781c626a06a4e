package io.gpufaas.core.router.policy;

import io.gpufaas.core.cache.Admission;
import io.gpufaas.core.cache.LruPolicy;
import io.gpufaas.core.cache.ModelCache;
import io.gpufaas.core.contract.ModelKeys;
import java.util.List;

/**
 * The router's exact view of one worker: its cache (the same {@link ModelCache} class, so the
 * router's eviction choices are the ones the worker executes), its free slots, and the work it
 * has in flight.
 */
public final class WorkerView {

    /** Told about every change an index over the views depends on. */
    public interface Listener {
        Listener NONE = new Listener() {
            @Override
            public void slotsChanged(WorkerView w) {}

            @Override
            public void residencyChanged(WorkerView w, String model, boolean resident) {}
        };

        void slotsChanged(WorkerView w);

        void residencyChanged(WorkerView w, String model, boolean resident);

        /** A load of {@code model} started here ({@code loading}) or its first work here finished. */
        default void loadingChanged(WorkerView w, String model, boolean loading) {}
    }

    private final int id;
    private int slots;
    /** The most slots this worker may be given ({@link #slots(int)}). */
    private final int maxSlots;
    private Listener listener = Listener.NONE;
    private final ModelCache cache;
    private int running;
    /** Expected completion times of running work, for the expected wait of a busy holder. */
    private final DoubleMinHeap busyUntil = new DoubleMinHeap();
    /**
     * When the loads started here are expected to be done, by the router's estimates: a worker
     * loads one model at a time ({@code WorkerCore}), so each load waits for those before it.
     */
    private double loadsDoneAtMs;
    /** {@link #backlogMs} at {@link #backlogAtMs}; NaN once {@link #busyUntil} changes. */
    private double backlogAtMs = Double.NaN;
    private double backlog;
    /** Models whose load this worker started and no invocation of which has completed yet. */
    private final java.util.Set<String> loading = new java.util.HashSet<>();
    /** Models held here as one of their function's minimum copies: pinned in the view, never evicted. */
    private final java.util.Set<String> kept = new java.util.HashSet<>();
    /** Models of the work started here and not yet reported complete. */
    private final java.util.List<String> runningModels = new java.util.ArrayList<>();
    /** When each of {@link #runningModels} was started, in the same order: for round trips. */
    private final java.util.List<Double> runningSinceMs = new java.util.ArrayList<>();

    public WorkerView(int id, long capacityBytes, int slots) {
        this(id, slots, new ModelCache(capacityBytes, new LruPolicy()));
    }

    public WorkerView(int id, int slots, ModelCache cache) {
        this(id, slots, slots, cache);
    }

    /** A worker starting with {@code slots} that may be given up to {@code maxSlots}. */
    public WorkerView(int id, int slots, int maxSlots, ModelCache cache) {
        if (slots < 1 || maxSlots < slots) {
            throw new IllegalArgumentException("a worker needs 1 <= slots <= max slots, were " + slots + " and " + maxSlots);
        }
        this.id = id;
        this.slots = slots;
        this.maxSlots = maxSlots;
        this.cache = cache;
    }

    public int maxSlots() {
        return maxSlots;
    }

    /** Gives this worker {@code n} slots (credits): from 1 to its maximum, which {@code Credits} keeps to. */
    public void slots(int n) {
        if (n < 1 || n > maxSlots) {
            throw new IllegalArgumentException("worker " + id + " may have 1 to " + maxSlots + " slots, not " + n);
        }
        int next = n;
        if (next != slots) {
            slots = next;
            listener.slotsChanged(this);
        }
    }

    public int id() {
        return id;
    }

    void listener(Listener listener) {
        this.listener = listener;
    }

    public int slots() {
        return slots;
    }

    public int running() {
        return running;
    }

    public boolean hasFreeSlot() {
        return running < slots;
    }

    public ModelCache cache() {
        return cache;
    }

    /** The models whose loads are under way here. */
    java.util.Set<String> loadingModels() {
        return java.util.Collections.unmodifiableSet(loading);
    }

    /** Whether a load of {@code model} is under way here (started, and nothing of it finished). */
    public boolean isLoading(String model) {
        return loading.contains(model);
    }

    /** Milliseconds until a slot frees up, from the router's own estimates. */
    public double expectedWaitMs(double nowMs) {
        if (hasFreeSlot()) {
            return 0;
        }
        return busyUntil.isEmpty() ? 0 : Math.max(0, busyUntil.at(0) - nowMs);
    }

    /**
     * Milliseconds of work already here, by the router's estimates: the expected remaining time
     * of every running invocation, summed, since a GPU computes one batch at a time. Unlike
     * {@link #expectedWaitMs}, a worker with a free slot behind a long run is not free.
     */
    public double backlogMs(double nowMs) {
        if (nowMs == backlogAtMs) {
            return backlog; // asked again within one dispatch: the same sum, not a walk over every slot
        }
        double sum = 0;
        for (int i = 0; i < busyUntil.size(); i++) {
            sum += Math.max(0, busyUntil.at(i) - nowMs);
        }
        backlogAtMs = nowMs;
        backlog = sum;
        return sum;
    }

    /**
     * Milliseconds until the loads started here are expected to be done, one after another (a
     * worker loads one model at a time), by the router's estimates; 0 when none is. A load started
     * now would wait this long before its own began.
     */
    public double loadQueueMs(double nowMs) {
        return Math.max(0, loadsDoneAtMs - nowMs);
    }

    /**
     * Would a load of {@code bytes} fit here now, and at what cost: the bytes it would evict
     * (0 when free memory suffices), or -1 when it cannot be placed at all right now.
     */
    public long evictionCost(String model, long bytes) {
        if (cache.isReady(model)) {
            return 0;
        }
        if (bytes > cache.capacity()) {
            return -1;
        }
        if (bytes <= cache.freeBytes()) {
            return 0;
        }
        return cache.freeBytes() + cache.evictableBytes() >= bytes ? bytes - cache.freeBytes() : -1;
    }

    /** Starts work here; returns the assignment (with the evictions the worker must make). */
    public <T> Assignment<T> start(Request<T> r, double nowMs) {
        boolean load = !cache.isReady(r.model());
        List<String> evicted = List.of();
        if (load) {
            cache.recordMiss();
            Admission a = cache.admit(r.model(), r.bytes(), r.loadCostMs());
            if (!(a instanceof Admission.Admitted admitted)) {
                throw new IllegalStateException("worker " + id + " cannot take " + r.model() + ": " + a);
            }
            evicted = admitted.victims();
            cache.completeLoad(r.model(), r.bytes(), r.loadCostMs());
            if (loading.add(r.model())) {
                listener.loadingChanged(this, r.model(), true);
            }
            for (String v : evicted) {
                listener.residencyChanged(this, v, false);
            }
            listener.residencyChanged(this, r.model(), true);
        } else {
            cache.recordHit(r.model());
        }
        cache.pin(r.model());
        runningModels.add(r.model());
        runningSinceMs.add(nowMs);
        running++;
        if (load) {
            loadsDoneAtMs = Math.max(nowMs, loadsDoneAtMs) + r.loadCostMs();
        }
        busyUntil.add(nowMs + (load ? r.loadCostMs() : 0) + r.execCostMs());
        backlogAtMs = Double.NaN;
        listener.slotsChanged(this);
        return new Assignment<>(r.item(), r.model(), id, load, evicted);
    }

    /** A slot's work on {@code model} finished. */
    public void complete(String model) {
        if (!tryComplete(model)) {
            throw new IllegalStateException("worker " + id + " reported " + model + " complete, which it was not running");
        }
    }

    /**
     * Like {@link #complete} but tolerant: a report for work this view does not know (a duplicate,
     * or work started before a restore) is ignored. Returns whether a slot was freed.
     */
    public boolean tryComplete(String model) {
        int index = runningModels.indexOf(model);
        if (index < 0) {
            return false;
        }
        finish(index);
        return true;
    }

    /**
     * Like {@link #tryComplete}, at {@code nowMs}: returns how long ago the completed work was
     * started (its round trip through the worker and the report path), or NaN when this view
     * was not running it.
     */
    public double completeAt(String model, double nowMs) {
        int index = runningModels.indexOf(model);
        return index < 0 ? Double.NaN : nowMs - finish(index);
    }

    /**
     * A report ended work of {@code model} that this view runs under another version's name (a
     * worker and a router that name a version differently, a bug): the oldest running work of the
     * same function is taken as done instead, so that the slot is not lost for good. Work of other
     * functions is never freed this way: a late report of work the view already forgot (after a
     * silence) must not let more out. Returns whether one was freed.
     */
    public boolean completeOtherVersionOf(String model) {
        String function = ModelKeys.function(model);
        for (int i = 0; i < runningModels.size(); i++) {
            if (ModelKeys.function(runningModels.get(i)).equals(function)) {
                finish(i);
                return true;
            }
        }
        return false;
    }

    /** Frees the slot of running work {@code index}; returns when it was started. */
    private double finish(int index) {
        String model = runningModels.remove(index);
        double since = runningSinceMs.remove(index);
        cache.unpin(model);
        if (loading.remove(model)) {
            listener.loadingChanged(this, model, false);
        }
        running--;
        // Completions arrive roughly in order of their expected ends: drop the earliest.
        busyUntil.poll();
        backlogAtMs = Double.NaN;
        listener.slotsChanged(this);
        return since;
    }

    /** Keeps {@code model} resident here (a minimum copy): the router plans no eviction of it. */
    public void keep(String model) {
        if (cache.isReady(model) && kept.add(model)) {
            cache.pin(model);
        }
    }

    /** Lets a kept model be evicted again. */
    public void release(String model) {
        if (kept.remove(model)) {
            cache.unpin(model);
        }
    }

    public boolean isKept(String model) {
        return kept.contains(model);
    }

    /** Forgets all running work, e.g. when the worker stopped reporting: its slots are free again. */
    public int releaseAll() {
        int released = runningModels.size();
        for (String m : List.copyOf(runningModels)) {
            tryComplete(m);
        }
        busyUntil.clear();
        loadsDoneAtMs = 0;
        backlogAtMs = Double.NaN;
        listener.slotsChanged(this);
        return released;
    }

    /**
     * Corrects the view with what the worker says it holds. Models the worker lacks are dropped
     * unless work on them is running (a report can predate a load the router ordered); models it
     * holds that the view lacks are added when they fit. Returns the number of corrections.
     */
    public int reconcile(java.util.Collection<String> resident, java.util.function.ToLongFunction<String> bytes,
            java.util.function.ToDoubleFunction<String> loadCost) {
        int corrections = 0;
        for (var e : List.copyOf(cache.entries())) {
            if (!resident.contains(e.model())) {
                release(e.model()); // the worker lost it after all: stop keeping a copy that is not there
            }
            if (!resident.contains(e.model()) && cache.isEvictable(e.model()) && cache.evict(e.model())) {
                listener.residencyChanged(this, e.model(), false);
                corrections++;
            }
        }
        for (String m : resident) {
            long size = bytes.applyAsLong(m);
            if (!cache.isReady(m) && !cache.isLoading(m) && size <= cache.freeBytes()
                    && cache.admit(m, size, loadCost.applyAsDouble(m)) instanceof Admission.Admitted) {
                cache.completeLoad(m, size, loadCost.applyAsDouble(m));
                listener.residencyChanged(this, m, true);
                corrections++;
            }
        }
        return corrections;
    }
}
