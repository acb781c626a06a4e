package io.gpufaas.core.router.policy;

import java.util.function.Supplier;

/**
 * The routing policies a configuration can name, in the order reports list them (the baselines
 * first, ours last). A name is parsed once, where the configuration is read (Flink's enum options
 * match {@link #toString()} case-insensitively); everything after it carries this value.
 */
public enum PolicyName {
    ROUND_ROBIN(RoundRobinPolicy.NAME, RoundRobinPolicy::new),
    LEAST_LOADED(LeastLoadedPolicy.NAME, LeastLoadedPolicy::new),
    CH_BL(ConsistentHashPolicy.NAME, () -> new ConsistentHashPolicy(DemandPolicy.LOAD_BOUND_FACTOR)),
    LALB(LalbPolicy.NAME, LalbPolicy::new),
    LALB_O3(LalbPolicy.LalbO3.NAME, LalbPolicy::withOutOfOrder),
    ECT_O3(EctPolicy.NAME, EctPolicy::new),
    DEMAND(DemandPolicy.NAME, DemandPolicy::new),
    TUNED(TunedPolicy.NAME, TunedPolicy::new);

    private final String name;
    private final Supplier<RoutingPolicy> factory;

    PolicyName(String name, Supplier<RoutingPolicy> factory) {
        this.name = name;
        this.factory = factory;
    }

    /** A new instance: policies keep per-router state (a ring, a round-robin cursor). */
    public RoutingPolicy create() {
        return factory.get();
    }

    /** The policy called {@code name} (as written in configuration, any case). */
    public static PolicyName of(String name) {
        for (PolicyName p : values()) {
            if (p.name.equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown routing policy '" + name + "'; known: "
                + java.util.Arrays.toString(values()));
    }

    @Override
    public String toString() {
        return name;
    }
}
