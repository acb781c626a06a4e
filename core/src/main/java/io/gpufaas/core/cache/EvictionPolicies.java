package io.gpufaas.core.cache;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** Eviction policies by name, as configuration chooses them. */
public final class EvictionPolicies {

    private EvictionPolicies() {}

    public static final List<String> NAMES = List.of(LruPolicy.NAME, LfuPolicy.NAME, GdsfPolicy.NAME);

    public static EvictionPolicy create(String name) {
        Supplier<EvictionPolicy> factory = switch (name.toLowerCase(Locale.ROOT)) {
            case LruPolicy.NAME -> LruPolicy::new;
            case LfuPolicy.NAME -> LfuPolicy::new;
            case GdsfPolicy.NAME -> GdsfPolicy::new;
            default -> throw new IllegalArgumentException("unknown eviction policy '" + name + "'; known: " + NAMES);
        };
        return factory.get();
    }
}
