package io.gpufaas.core.router.policy;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Ours, self-tuning: routes with one of a few candidate policies at a time and lets the router's
 * tuner ({@code io.gpufaas.core.tuning.PolicyTuner}) switch between them by replaying the
 * router's own recent arrivals through the simulator. No one policy is best everywhere: the
 * evaluation grid finds {@code demand} best on average, but waiting for a holder ({@code ect-o3},
 * {@code lalb-o3}) wins in small pools with few hot functions and plain balance
 * ({@code least-loaded}) where every function misses anyway. It starts with {@code demand}.
 *
 * <p>Each candidate keeps its own instance (a ring, a cursor) across switches, so switching back
 * finds it as it was. A switch changes nothing already placed: the cluster view, the queue and the
 * caches are shared, and the next decision is the new policy's.
 */
public final class TunedPolicy implements RoutingPolicy {

    public static final String NAME = "tuned";

    /** What the tuner chooses among, the first the starting one. */
    public static final List<PolicyName> CANDIDATES = List.of(PolicyName.DEMAND, PolicyName.ECT_O3, PolicyName.LALB_O3,
            PolicyName.LEAST_LOADED, PolicyName.CH_BL);

    private final Map<PolicyName, RoutingPolicy> instances = new EnumMap<>(PolicyName.class);
    /** Read by metrics from another thread. */
    private volatile PolicyName current = CANDIDATES.get(0);
    private RoutingPolicy delegate;

    public TunedPolicy() {
        for (PolicyName p : CANDIDATES) {
            instances.put(p, p.create());
        }
        delegate = instances.get(current);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The candidate routing now. */
    public PolicyName current() {
        return current;
    }

    /** Routes with {@code candidate} from the next decision on. */
    public void use(PolicyName candidate) {
        RoutingPolicy next = instances.get(candidate);
        if (next == null) {
            throw new IllegalArgumentException(candidate + " is not one of the tuned policy's candidates " + CANDIDATES);
        }
        current = candidate;
        delegate = next;
    }

    @Override
    public OptionalInt choose(Request<?> request, Cluster cluster, double nowMs) {
        return delegate.choose(request, cluster, nowMs);
    }

    @Override
    public boolean outOfOrder() {
        return delegate.outOfOrder();
    }
}
