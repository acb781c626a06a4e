package io.gpufaas.core.router;

import io.gpufaas.core.cache.CacheEntry;
import java.util.List;
import java.util.OptionalInt;

/**
 * Ours: earliest expected completion, weighing a load against queueing, with out-of-order
 * dispatch. For every worker it estimates when the invocation would finish there: its expected
 * wait for a slot, plus the load if the model is not resident (the load's cost grows with the
 * model's bytes), plus the run. The best worker wins; if that worker is busy, the invocation waits
 * for it while others go ahead. So a hot model's invocations spill onto extra workers (a replica)
 * exactly when its holders' queues cost more than a load, and placement avoids evicting models
 * that are in demand: each evicted model adds its own reload cost, scaled by how often it has
 * been used, to the estimate.
 */
public final class EctPolicy implements RoutingPolicy {

    public static final String NAME = "ect-o3";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean outOfOrder() {
        return true;
    }

    @Override
    public OptionalInt choose(Request<?> request, Cluster cluster, double nowMs) {
        OptionalInt holder = Workers.freeHolder(request.model(), cluster);
        if (holder.isPresent()) {
            return holder;
        }
        if (Workers.loadingSomewhere(request.model(), cluster)) {
            return OptionalInt.empty(); // one load at a time per model: no thundering herd
        }
        // Candidates: the model's holders (busy, or they would have won above) and the free
        // workers; a busy non-holder would add its wait to a load a free worker does at once.
        java.util.BitSet candidates = (java.util.BitSet) cluster.holders(request.model()).clone();
        candidates.or(cluster.free());
        WorkerView best = null;
        double bestEct = Double.POSITIVE_INFINITY;
        for (int i = candidates.nextSetBit(0); i >= 0; i = candidates.nextSetBit(i + 1)) {
            WorkerView w = cluster.get(i);
            boolean resident = w.cache().isReady(request.model());
            double ect = w.expectedWaitMs(nowMs) + request.execCostMs();
            if (!resident) {
                long evict = w.evictionCost(request.model(), request.bytes());
                if (evict < 0) {
                    continue;
                }
                ect += request.loadCostMs() + displacementCost(w, evict);
            }
            if (ect < bestEct || (ect == bestEct && best != null && w.running() < best.running())) {
                best = w;
                bestEct = ect;
            }
        }
        if (best == null || !best.hasFreeSlot()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(best.id());
    }

    /**
     * What evicting {@code bytes} from {@code w} is expected to cost later: the cheapest victims'
     * reload costs, each weighted by the share of accesses it has had (a model used once costs
     * little to drop; a popular one almost its full reload).
     */
    private static double displacementCost(WorkerView w, long bytes) {
        if (bytes <= 0) {
            return 0;
        }
        long totalFrequency = 0;
        for (CacheEntry e : w.cache().entries()) {
            totalFrequency += e.frequency();
        }
        if (totalFrequency == 0) {
            return 0;
        }
        double cost = 0;
        long freed = 0;
        List<CacheEntry> victims = w.cache().entries().stream()
                .filter(e -> w.cache().isEvictable(e.model()))
                .sorted(java.util.Comparator.comparingDouble(CacheEntry::priority))
                .toList();
        for (CacheEntry v : victims) {
            if (freed >= bytes) {
                break;
            }
            freed += v.bytes();
            cost += v.loadCost() * v.frequency() / (double) totalFrequency;
        }
        return cost;
    }
}
