package io.gpufaas.core.router.policy;

import java.util.OptionalInt;

/** Load balancing only: the next free worker in turn, wherever the model is. A FaaS default. */
public final class RoundRobinPolicy implements RoutingPolicy {

    public static final String NAME = "round-robin";

    private int next;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public OptionalInt choose(Request<?> request, Cluster cluster, double nowMs) {
        int n = cluster.size();
        // Free workers from 'next' on, wrapping around once.
        for (int pass = 0; pass < 2; pass++) {
            int from = pass == 0 ? next % n : 0;
            int to = pass == 0 ? n : next % n;
            for (int i = cluster.free().nextSetBit(from); i >= 0 && i < to; i = cluster.free().nextSetBit(i + 1)) {
                if (Workers.placeable(request, cluster.get(i))) {
                    next = (i + 1) % n;
                    return OptionalInt.of(i);
                }
            }
        }
        return OptionalInt.empty();
    }
}
