package io.gpufaas.core.router;

import java.util.List;
import java.util.Locale;

/** Routing policies by name, as configuration chooses them. */
public final class RoutingPolicies {

    private RoutingPolicies() {}

    public static final List<String> NAMES = List.of(RoundRobinPolicy.NAME, LeastLoadedPolicy.NAME, LalbPolicy.NAME,
            LalbPolicy.LalbO3.NAME, ConsistentHashPolicy.NAME, EctPolicy.NAME, DemandPolicy.NAME);

    public static RoutingPolicy create(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case RoundRobinPolicy.NAME -> new RoundRobinPolicy();
            case LeastLoadedPolicy.NAME -> new LeastLoadedPolicy();
            case LalbPolicy.NAME -> new LalbPolicy();
            case LalbPolicy.LalbO3.NAME -> LalbPolicy.withOutOfOrder();
            case ConsistentHashPolicy.NAME -> new ConsistentHashPolicy(DemandPolicy.LOAD_BOUND_FACTOR);
            case EctPolicy.NAME -> new EctPolicy();
            case DemandPolicy.NAME -> new DemandPolicy();
            default -> throw new IllegalArgumentException("unknown routing policy '" + name + "'; known: " + NAMES);
        };
    }
}
