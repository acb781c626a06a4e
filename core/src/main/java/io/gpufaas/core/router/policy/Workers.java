package io.gpufaas.core.router.policy;

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
     * bytes evicted, then the fewest running. Among equals the scan starts at {@code from} and goes
     * round the ring, so successive loads spread over the pool rather than piling onto the lowest
     * ids (and a fleet-sized scan stops at the first idle worker with room instead of walking past
     * every full one).
     */
    static OptionalInt cheapestPlacement(Request<?> r, Cluster cluster, int from) {
        int roomy = freeWithRoom(r.bytes(), cluster, cluster.free(), from);
        if (roomy >= 0) {
            return OptionalInt.of(roomy);
        }
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
            }
        }
        return best == null ? OptionalInt.empty() : OptionalInt.of(best.id());
    }

    /**
     * One of {@code candidates} (free workers) with {@code bytes} of free memory, an idle one if
     * there is any, scanning from {@code from} round the ring; -1 if none has room without evicting.
     */
    static int freeWithRoom(long bytes, Cluster cluster, BitSet candidates, int from) {
        int start = from < 0 || from >= cluster.size() ? 0 : from;
        int busy = -1;
        for (int pass = 0; pass < 2; pass++) {
            int end = pass == 0 ? cluster.size() : start;
            for (int i = candidates.nextSetBit(pass == 0 ? start : 0); i >= 0 && i < end; i = candidates.nextSetBit(i + 1)) {
                WorkerView w = cluster.get(i);
                if (w.cache().freeBytes() >= bytes) {
                    if (w.running() == 0) {
                        return i;
                    }
                    if (busy < 0) {
                        busy = i;
                    }
                }
            }
        }
        return busy;
    }

    /**
     * The first of {@code idle} (workers running nothing) that {@code r}'s model fits once it
     * evicts only models used once since they loaded there, by this router's count; -1 if none.
     * A model loaded for one call and idle since is the cheapest memory to take back: nothing
     * suggests it is called again soon, and an idle worker holding it serves no one.
     */
    static int idleWithRoomOnceSingleUseModelsGo(Request<?> r, Cluster cluster, BitSet idle) {
        for (int i = idle.nextSetBit(0); i >= 0; i = idle.nextSetBit(i + 1)) {
            WorkerView w = cluster.get(i);
            // The eviction plan is absent where no eviction makes room: evictionCost's test, not asked twice.
            if (w.hasFreeSlot() && w.cache().victimsFor(r.bytes())
                    .filter(victims -> victims.stream().allMatch(v -> v.frequency() <= 1)).isPresent()) {
                return i;
            }
        }
        return -1;
    }

    static boolean placeable(Request<?> r, WorkerView w) {
        return w.hasFreeSlot() && w.evictionCost(r.model(), r.bytes()) >= 0;
    }

    /**
     * What loading {@code bytes} on {@code w} is expected to cost later: the reload costs of the
     * models it would evict, each weighted by its share of the worker's accesses (a model used
     * once costs little to drop; a popular one almost its full reload).
     */
    static double displacementCost(WorkerView w, long bytes) {
        java.util.List<io.gpufaas.core.cache.CacheEntry> victims = w.cache().victimsFor(bytes).orElse(java.util.List.of());
        if (victims.isEmpty()) {
            return 0;
        }
        long totalFrequency = w.cache().totalFrequency();
        double cost = 0;
        for (var v : victims) {
            cost += v.loadCost() * v.frequency() / (double) Math.max(1, totalFrequency);
        }
        return cost;
    }
}
