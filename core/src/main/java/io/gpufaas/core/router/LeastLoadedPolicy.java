package io.gpufaas.core.router;

import java.util.OptionalInt;

/** Load balancing only: the free worker with the fewest invocations running, lowest id first. */
public final class LeastLoadedPolicy implements RoutingPolicy {

    public static final String NAME = "least-loaded";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public OptionalInt choose(Request<?> request, Cluster cluster, double nowMs) {
        WorkerView best = null;
        for (int i = cluster.free().nextSetBit(0); i >= 0; i = cluster.free().nextSetBit(i + 1)) {
            WorkerView w = cluster.get(i);
            if (Workers.placeable(request, w) && (best == null || w.running() < best.running())) {
                best = w;
            }
        }
        return best == null ? OptionalInt.empty() : OptionalInt.of(best.id());
    }
}
