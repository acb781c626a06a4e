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
    /** Whether the last refusal waits on the model's own copies (a load, a holder soon free): see {@link #watchRefusal}. */
    private boolean refusalAboutCopies;

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Every refusal stands until a release: a starting load and a start elsewhere only take slots
     * and pin models, so they never make a placement possible; and as time passes a busy holder's
     * expected wait only shrinks, so one expected free within a load's time stays so. The line
     * is never weighed.
     */
    @Override
    public boolean refusalAwaitsRelease() {
        return true;
    }

    /**
     * A refusal that waits for a load of the model, or for a holder soon free, watches the model:
     * a slot released at one of its holders, or a holder loading or dropping it. One because no free
     * worker can take a load watches nothing: any release ends it.
     */
    @Override
    public boolean watchRefusal(Request<?> request, Cluster cluster, Cluster.Watcher watcher) {
        if (!refusalAboutCopies) {
            return false;
        }
        cluster.watchModel(request.model(), watcher);
        return true;
    }

    @Override
    public OptionalInt choose(Request<?> request, Cluster cluster, double nowMs) {
        refusalAboutCopies = false;
        OptionalInt holder = Workers.freeHolder(request.model(), cluster);
        if (holder.isPresent()) {
            return holder;
        }
        if (cluster.loadingAnywhere(request.model())
                || Workers.holderFreeWithin(request.model(), cluster, nowMs, request.loadCostMs())) {
            refusalAboutCopies = true;
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
