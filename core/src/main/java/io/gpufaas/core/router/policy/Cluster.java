package io.gpufaas.core.router.policy;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The workers the router schedules over, with live indexes a policy needs at fleet scale: which
 * workers have a free slot, and which hold each model. Kept current by the views themselves
 * (through {@link WorkerView.Listener}), so a decision looks at a model's few holders and the free
 * workers rather than scanning every worker. It also wakes the standing refusals that watch a
 * worker, a model or idle workers ({@link #watchWorker}) when a release there may lift them.
 */
public final class Cluster implements WorkerView.Listener {

    private static final BitSet NONE = new BitSet();

    private final List<WorkerView> workers;
    private final BitSet free = new BitSet();
    private final Map<String, BitSet> holders = new HashMap<>();
    private final int[] lastRunning;
    /** Workers by how many invocations they run: {@code byRunning[k]} runs exactly k (k below the most slots). */
    private final BitSet[] byRunning;
    private int totalRunning;
    private final int[] lastSlots;
    /** Slots freed or granted and models loaded or dropped, counted: see {@link #releases}. */
    private long releases;
    private java.util.function.ToIntFunction<String> waiting = model -> 0;
    private java.util.function.IntSupplier waitingTotal = () -> 0;
    /** Models with invocations in the router's queue. */
    private final java.util.Set<String> waitingModels = new java.util.HashSet<>();
    /**
     * Per worker, how many of the models it holds have invocations waiting: work it would hit.
     * Kept only once a policy asks ({@link #holdsWaitingWork}): walking a popular model's holders
     * on every line change costs the policies that never ask.
     */
    private final int[] waitingHeld;
    private boolean trackingWaitingHeld;
    /** Free workers holding no model with invocations waiting ({@link #freeWithoutWaitingWork}); kept with {@link #waitingHeld}. */
    private final BitSet freeWithoutWaitingWork = new BitSet();

    /**
     * Per model, how many workers are loading it ({@link #loadingAnywhere}); absent or 0: none. A
     * count stays at 0 rather than leave: removed and added again on every load, it took 7% of a
     * profile of round-robin's thrashing fleet day. The router keeps every model's statistics as long.
     */
    private final Map<String, int[]> loadingCount = new HashMap<>();

    /**
     * Told when a standing refusal it holds may no longer stand: the scheduler's waiting request
     * (see {@link RoutingPolicy#watchRefusal}).
     */
    public interface Watcher {
        void wake();
    }

    /**
     * Watchers a list holds before all are woken at once: a worker that releases nothing for long
     * while its waiters are woken elsewhere and register again would otherwise gather copies of
     * them without end. Waking early only costs asks.
     */
    static final int MOST_WATCHERS_PER_LIST = 256;

    /** Models watched at once before all their watchers are woken: see {@link #watchModel}. */
    static final int MOST_WATCHED_MODELS = 16_384;

    /** Per worker, the refusals a release there may lift (created on first use). */
    private final List<Watcher>[] watchingWorker;
    /** Per model, the refusals a release at one of its holders, or a change of its holders, may lift. */
    private final Map<String, List<Watcher>> watchingModel = new HashMap<>();
    /** The refusals a worker becoming idle, or memory changing on an idle worker, may lift. */
    private final List<Watcher> watchingIdle = new java.util.ArrayList<>();

    public Cluster(List<WorkerView> workers) {
        this.workers = List.copyOf(workers);
        this.lastRunning = new int[this.workers.size()];
        this.lastSlots = new int[this.workers.size()];
        this.waitingHeld = new int[this.workers.size()];
        @SuppressWarnings("unchecked")
        List<Watcher>[] perWorker = new List[this.workers.size()];
        this.watchingWorker = perWorker;
        int mostSlots = this.workers.stream().mapToInt(WorkerView::maxSlots).max().orElse(1);
        this.byRunning = new BitSet[mostSlots + 1];
        for (int k = 0; k < byRunning.length; k++) {
            byRunning[k] = new BitSet();
        }
        for (int i = 0; i < this.workers.size(); i++) {
            byRunning[0].set(i);
        }
        for (int i = 0; i < this.workers.size(); i++) {
            WorkerView w = this.workers.get(i);
            if (w.id() != i) {
                throw new IllegalArgumentException("worker views must be numbered 0..n-1 in order");
            }
            w.listener(this);
            slotsChanged(w);
            w.cache().entries().forEach(e -> {
                if (w.cache().isReady(e.model())) {
                    residencyChanged(w, e.model(), true);
                }
            });
            w.loadingModels().forEach(m -> loadingChanged(w, m, true));
        }
    }

    /**
     * Whether some worker is loading {@code model} now: a second load at once would be a thundering
     * herd. Kept as a count per model: walking the model's holders for it on every ask cost a hot
     * model's fleet-scale runs a quarter of their time.
     */
    public boolean loadingAnywhere(String model) {
        return loadingCount(model) > 0;
    }

    /** How many workers are loading {@code model} now. */
    public int loadingCount(String model) {
        int[] count = loadingCount.get(model);
        return count == null ? 0 : count[0];
    }

    /**
     * Throws unless the loading counts agree with the views, and every loading worker holds its
     * model (what let {@link #loadingAnywhere} replace a walk of the model's holders).
     */
    public void checkInvariants() {
        Map<String, Integer> counted = new HashMap<>();
        for (WorkerView w : workers) {
            for (String m : w.loadingModels()) {
                counted.merge(m, 1, Integer::sum);
                if (!holders(m).get(w.id())) {
                    throw new IllegalStateException("worker " + w.id() + " loads " + m + " but is not among its holders");
                }
            }
        }
        Map<String, Integer> kept = new HashMap<>();
        loadingCount.forEach((m, count) -> {
            if (count[0] != 0) {
                kept.put(m, count[0]);
            }
        });
        if (!counted.equals(kept)) {
            throw new IllegalStateException("loading counts " + kept + " disagree with the views' " + counted);
        }
    }

    @Override
    public void loadingChanged(WorkerView w, String model, boolean loading) {
        loadingCount.computeIfAbsent(model, m -> new int[1])[0] += loading ? 1 : -1;
    }

    public List<WorkerView> workers() {
        return workers;
    }

    public WorkerView get(int id) {
        return workers.get(id);
    }

    public int size() {
        return workers.size();
    }

    /** Workers with a free slot. Live: do not modify. */
    public BitSet free() {
        return free;
    }

    public boolean anyFree() {
        return !free.isEmpty();
    }

    /** Workers holding {@code model} ready. Live: do not modify. */
    public BitSet holders(String model) {
        return holders.getOrDefault(model, NONE);
    }

    /** Invocations of {@code model} waiting in the router's queue, the one being placed included. */
    public int waiting(String model) {
        return waiting.applyAsInt(model);
    }

    /** Invocations of every model waiting in the router's queue. */
    public int waitingTotal() {
        return waitingTotal.getAsInt();
    }

    /** Where {@link #waiting} and {@link #waitingTotal} read from: the queue that owns this cluster. */
    public void waiting(java.util.function.ToIntFunction<String> perModel, java.util.function.IntSupplier total) {
        this.waiting = perModel;
        this.waitingTotal = total;
    }

    /**
     * The router's queue says {@code model}'s line went from empty to waiting ({@code true}) or
     * back: keeps {@link #holdsWaitingWork} current.
     */
    public void lineChanged(String model, boolean waiting) {
        if ((waiting ? waitingModels.add(model) : waitingModels.remove(model)) && trackingWaitingHeld) {
            BitSet h = holders(model);
            for (int i = h.nextSetBit(0); i >= 0; i = h.nextSetBit(i + 1)) {
                waitingHeld[i] += waiting ? 1 : -1;
                refreshFreeWithoutWaitingWork(i);
            }
        }
    }

    /** Whether worker {@code id} holds a model with invocations waiting: work it would hit. In O(1). */
    public boolean holdsWaitingWork(int id) {
        trackWaitingHeld();
        return waitingHeld[id] > 0;
    }

    /**
     * Workers with a free slot that hold no model with invocations waiting: where another copy of
     * a model takes no hits' slot. Kept current as {@link #holdsWaitingWork} is, so a placement
     * walks these alone instead of testing every free worker. Live: do not modify.
     */
    public BitSet freeWithoutWaitingWork() {
        trackWaitingHeld();
        return freeWithoutWaitingWork;
    }

    private void trackWaitingHeld() {
        if (trackingWaitingHeld) {
            return;
        }
        trackingWaitingHeld = true;
        for (String model : waitingModels) {
            BitSet h = holders(model);
            for (int i = h.nextSetBit(0); i >= 0; i = h.nextSetBit(i + 1)) {
                waitingHeld[i]++;
            }
        }
        for (int i = 0; i < workers.size(); i++) {
            refreshFreeWithoutWaitingWork(i);
        }
    }

    private void refreshFreeWithoutWaitingWork(int id) {
        if (trackingWaitingHeld) {
            freeWithoutWaitingWork.set(id, free.get(id) && waitingHeld[id] == 0);
        }
    }

    /** Invocations running across all workers. */
    public int totalRunning() {
        return totalRunning;
    }

    /**
     * Workers running exactly {@code k} invocations, for {@code k} up to the most slots any worker
     * has (empty above). Live: do not modify.
     */
    public BitSet withRunning(int k) {
        return k >= 0 && k < byRunning.length ? byRunning[k] : NONE;
    }

    /** The most slots any worker may have: {@link #withRunning} is empty above it. */
    public int mostSlots() {
        return byRunning.length - 1;
    }

    /**
     * How many times a worker freed a slot, gained one, or loaded or dropped a model: changes that
     * can let a waiting request in. A start elsewhere is not one (it only takes a slot).
     */
    public long releases() {
        return releases;
    }

    /** Wakes {@code watcher} at the next release at worker {@code id} (a slot freed or granted, a model loaded or dropped). */
    public void watchWorker(int id, Watcher watcher) {
        if (watchingWorker[id] == null) {
            watchingWorker[id] = new java.util.ArrayList<>();
        }
        add(watchingWorker[id], watcher);
    }

    /** Wakes {@code watcher} at the next slot released at a worker holding {@code model}, or when a worker loads or drops it. */
    public void watchModel(String model, Watcher watcher) {
        List<Watcher> list = watchingModel.get(model);
        if (list == null) {
            if (watchingModel.size() >= MOST_WATCHED_MODELS) {
                // Models no worker holds or loads again keep their lists: bounded, woken at once.
                watchingModel.values().forEach(Cluster::wakeAll);
                watchingModel.clear();
            }
            list = new java.util.ArrayList<>();
            watchingModel.put(model, list);
        }
        add(list, watcher);
    }

    /** Wakes {@code watcher} when a worker next becomes idle, or memory changes on an idle worker. */
    public void watchIdle(Watcher watcher) {
        add(watchingIdle, watcher);
    }

    private static void add(List<Watcher> list, Watcher watcher) {
        if (list.size() >= MOST_WATCHERS_PER_LIST) {
            wakeAll(list);
        }
        list.add(watcher);
    }

    private static void wakeAll(List<Watcher> list) {
        if (list == null || list.isEmpty()) {
            return;
        }
        for (Watcher watcher : list) {
            watcher.wake();
        }
        list.clear();
    }

    private void wakeModel(String model) {
        List<Watcher> list = watchingModel.remove(model);
        wakeAll(list);
    }

    /** A release at {@code w}: its own watchers, those of the models it holds, and, if it is idle, the idle ones. */
    private void wakeForReleaseAt(WorkerView w) {
        wakeAll(watchingWorker[w.id()]);
        if (watchingModel.size() > w.cache().size()) {
            for (io.gpufaas.core.cache.CacheEntry e : w.cache().entries()) {
                wakeModel(e.model());
            }
        } else if (!watchingModel.isEmpty()) {
            // Fewer models watched than held here: test each for an entry, not each entry for a
            // watch (a 16 GiB worker can hold dozens of models while few are watched at once).
            for (Iterator<Map.Entry<String, List<Watcher>>> it = watchingModel.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, List<Watcher>> watched = it.next();
                if (w.cache().holds(watched.getKey())) {
                    it.remove();
                    wakeAll(watched.getValue());
                }
            }
        }
        if (w.running() == 0) {
            wakeAll(watchingIdle);
        }
    }

    @Override
    public void slotsChanged(WorkerView w) {
        if (w.running() < lastRunning[w.id()] || w.slots() > lastSlots[w.id()]) {
            releases++;
            wakeForReleaseAt(w);
        }
        lastSlots[w.id()] = w.slots();
        free.set(w.id(), w.hasFreeSlot());
        refreshFreeWithoutWaitingWork(w.id());
        totalRunning += w.running() - lastRunning[w.id()];
        byRunning[Math.min(lastRunning[w.id()], byRunning.length - 1)].clear(w.id());
        byRunning[Math.min(w.running(), byRunning.length - 1)].set(w.id());
        lastRunning[w.id()] = w.running();
    }

    @Override
    public void residencyChanged(WorkerView w, String model, boolean resident) {
        releases++;
        wakeAll(watchingWorker[w.id()]);
        wakeModel(model);
        if (w.running() == 0) {
            wakeAll(watchingIdle);
        }
        boolean wasHolder = holders(model).get(w.id());
        if (trackingWaitingHeld && wasHolder != resident && waitingModels.contains(model)) {
            waitingHeld[w.id()] += resident ? 1 : -1;
            refreshFreeWithoutWaitingWork(w.id());
        }
        if (resident) {
            holders.computeIfAbsent(model, m -> new BitSet()).set(w.id());
        } else {
            BitSet b = holders.get(model);
            if (b != null) {
                b.clear(w.id());
                if (b.isEmpty()) {
                    holders.remove(model);
                }
            }
        }
    }
}
