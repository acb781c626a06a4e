package io.gpufaas.core.router;

import java.util.List;
import java.util.OptionalInt;

/** Selections over worker views that several policies share. */
final class Workers {

    private Workers() {}

    /** The free worker holding {@code model} ready with the fewest running, lowest id first. */
    static OptionalInt freeHolder(String model, List<WorkerView> workers) {
        WorkerView best = null;
        for (WorkerView w : workers) {
            if (w.hasFreeSlot() && w.cache().isReady(model) && (best == null || w.running() < best.running())) {
                best = w;
            }
        }
        return best == null ? OptionalInt.empty() : OptionalInt.of(best.id());
    }

    /** The shortest expected wait among busy workers holding {@code model}, or +inf if none holds it. */
    static double bestHolderWaitMs(String model, List<WorkerView> workers, double nowMs) {
        double best = Double.POSITIVE_INFINITY;
        for (WorkerView w : workers) {
            if (w.cache().isReady(model)) {
                best = Math.min(best, w.expectedWaitMs(nowMs));
            }
        }
        return best;
    }

    /**
     * The free worker where loading {@code model} costs least: free memory first, then the fewest
     * bytes evicted, then the fewest running, then the lowest id.
     */
    static OptionalInt cheapestPlacement(Request<?> r, List<WorkerView> workers) {
        WorkerView best = null;
        long bestCost = Long.MAX_VALUE;
        for (WorkerView w : workers) {
            if (!w.hasFreeSlot()) {
                continue;
            }
            long cost = w.evictionCost(r.model(), r.bytes());
            if (cost < 0) {
                continue;
            }
            if (best == null || cost < bestCost || (cost == bestCost && w.running() < best.running())) {
                best = w;
                bestCost = cost;
            }
        }
        return best == null ? OptionalInt.empty() : OptionalInt.of(best.id());
    }

    /** Whether some worker is loading {@code model} now: a second load at once would be a thundering herd. */
    static boolean loadingSomewhere(String model, List<WorkerView> workers) {
        for (WorkerView w : workers) {
            if (w.isLoading(model)) {
                return true;
            }
        }
        return false;
    }

    static boolean placeable(Request<?> r, WorkerView w) {
        return w.hasFreeSlot() && w.evictionCost(r.model(), r.bytes()) >= 0;
    }
}
