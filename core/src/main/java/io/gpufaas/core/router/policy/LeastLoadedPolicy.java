package io.gpufaas.core.router.policy;

import java.util.BitSet;
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
        // Level by level from idle up, lowest id first within a level: the first placeable worker
        // is the least loaded, found without scanning the fleet when idle workers exist.
        for (int k = 0; k < cluster.mostSlots(); k++) {
            BitSet level = cluster.withRunning(k);
            for (int i = level.nextSetBit(0); i >= 0; i = level.nextSetBit(i + 1)) {
                if (Workers.placeable(request, cluster.get(i))) {
                    return OptionalInt.of(i);
                }
            }
        }
        return OptionalInt.empty();
    }
}
