package io.gpufaas.core.router.policy;

import java.util.OptionalInt;

/**
 * Locality-aware load balancing, the reference design's LALB. The published text leaves
 * "overloaded" open; the rule implemented:
 *
 * <ol>
 *   <li>a free worker holding the model (fewest running first): a hit;
 *   <li>else, if a worker is loading the model right now, wait for that load (no thundering
 *       herd of simultaneous first loads);
 *   <li>else, if a busy worker holds it and its expected wait is shorter than the model's load
 *       time, keep the invocation queued for it: waiting costs less than a miss elsewhere;
 *   <li>else the free worker where a load costs least: free memory first, then the fewest bytes
 *       evicted (never a model in use).
 * </ol>
 *
 * {@link #withOutOfOrder()} gives LALB + O3: invocations behind one that waits may go first.
 */
public class LalbPolicy implements RoutingPolicy {

    public static final String NAME = "lalb";

    /** Where the next scan for a placement starts: just past the last one. */
    private int nextPlacement;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public OptionalInt choose(Request<?> request, Cluster cluster, double nowMs) {
        OptionalInt holder = Workers.freeHolder(request.model(), cluster);
        if (holder.isPresent()) {
            return holder;
        }
        if (cluster.loadingAnywhere(request.model())
                || Workers.holderFreeWithin(request.model(), cluster, nowMs, request.loadCostMs())) {
            return OptionalInt.empty();
        }
        OptionalInt placed = Workers.cheapestPlacement(request, cluster, nextPlacement);
        placed.ifPresent(w -> nextPlacement = w + 1);
        return placed;
    }

    public static RoutingPolicy withOutOfOrder() {
        return new LalbPolicy() {
            @Override
            public String name() {
                return LalbO3.NAME;
            }

            @Override
            public boolean outOfOrder() {
                return true;
            }
        };
    }

    /** The name of LALB with out-of-order dispatch. */
    public static final class LalbO3 {
        public static final String NAME = "lalb-o3";

        private LalbO3() {}
    }
}
