package io.gpufaas.core.router;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The workers the router schedules over, with live indexes a policy needs at fleet scale: which
 * workers have a free slot, and which hold each model. Kept current by the views themselves
 * (through {@link WorkerView.Listener}), so a decision looks at a model's few holders and the free
 * workers rather than scanning every worker.
 */
public final class Cluster implements WorkerView.Listener {

    private static final BitSet NONE = new BitSet();

    private final List<WorkerView> workers;
    private final BitSet free = new BitSet();
    private final Map<String, BitSet> holders = new HashMap<>();
    private final int[] lastRunning;
    private int totalRunning;
    private java.util.function.ToIntFunction<String> waiting = model -> 0;

    public Cluster(List<WorkerView> workers) {
        this.workers = List.copyOf(workers);
        this.lastRunning = new int[this.workers.size()];
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
        }
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

    /** Where {@link #waiting} reads from: the queue that owns this cluster. */
    void waiting(java.util.function.ToIntFunction<String> source) {
        this.waiting = source;
    }

    /** Invocations running across all workers. */
    public int totalRunning() {
        return totalRunning;
    }

    @Override
    public void slotsChanged(WorkerView w) {
        free.set(w.id(), w.hasFreeSlot());
        totalRunning += w.running() - lastRunning[w.id()];
        lastRunning[w.id()] = w.running();
    }

    @Override
    public void residencyChanged(WorkerView w, String model, boolean resident) {
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
