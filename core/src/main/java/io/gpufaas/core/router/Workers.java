package io.gpufaas.core.router;

import java.util.BitSet;
import java.util.OptionalInt;

/** Selections over the cluster that several policies share; each looks only at holders or free workers. */
final class Workers {

    private Workers() {}

    /** The free worker holding {@code model} ready with the fewest running, lowest id first. */
    static OptionalInt freeHolder(String model, Cluster cluster) {
        BitSet holders = cluster.holders(model);
        WorkerView best = null;
        for (int i = holders.nextSetBit(0); i >= 0; i = holders.nextSetBit(i + 1)) {
            WorkerView w = cluster.get(i);
            if (w.hasFreeSlot() && (best == null || w.running() < best.running())) {
                best = w;
                if (w.running() == 0) {
                    break; // an idle holder: nothing runs less, and the lowest id wins ties
                }
            }
        }
        return best == null ? OptionalInt.empty() : OptionalInt.of(best.id());
    }

    /** Whether some worker holding {@code model} expects a free slot within {@code thresholdMs}. */
    static boolean holderFreeWithin(String model, Cluster cluster, double nowMs, double thresholdMs) {
        BitSet holders = cluster.holders(model);
        for (int i = holders.nextSetBit(0); i >= 0; i = holders.nextSetBit(i + 1)) {
            if (cluster.get(i).expectedWaitMs(nowMs) < thresholdMs) {
                return true;
            }
        }
        return false;
    }

    /**
     * The free worker where loading {@code model} costs least: free memory first, then the fewest
     * bytes evicted, then the fewest running, then the lowest id.
     */
    static OptionalInt cheapestPlacement(Request<?> r, Cluster cluster) {
        BitSet free = cluster.free();
        WorkerView best = null;
        long bestCost = Long.MAX_VALUE;
        for (int i = free.nextSetBit(0); i >= 0; i = free.nextSetBit(i + 1)) {
            WorkerView w = cluster.get(i);
            long cost = w.evictionCost(r.model(), r.bytes());
            if (cost < 0) {
                continue;
            }
            if (best == null || cost < bestCost || (cost == bestCost && w.running() < best.running())) {
                best = w;
                bestCost = cost;
                if (cost == 0 && w.running() == 0) {
                    break; // nothing can beat free memory on an idle worker; lowest id wins ties
                }
            }
        }
        return best == null ? OptionalInt.empty() : OptionalInt.of(best.id());
    }

    /** Whether some worker is loading {@code model} now: a second load at once would be a thundering herd. */
    static boolean loadingSomewhere(String model, Cluster cluster) {
        BitSet holders = cluster.holders(model);
        for (int i = holders.nextSetBit(0); i >= 0; i = holders.nextSetBit(i + 1)) {
            if (cluster.get(i).isLoading(model)) {
                return true;
            }
        }
        return false;
    }

    static boolean placeable(Request<?> r, WorkerView w) {
        return w.hasFreeSlot() && w.evictionCost(r.model(), r.bytes()) >= 0;
    }
}
