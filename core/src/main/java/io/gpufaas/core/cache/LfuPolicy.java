package io.gpufaas.core.cache;

/** Least frequently used: evicts the model with the fewest accesses, the least recent among equals. */
public final class LfuPolicy implements EvictionPolicy {

    public static final String NAME = "lfu";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double priorityOnAccess(CacheEntry entry) {
        // Recency as a fraction below 1 breaks ties without outweighing a single access.
        return entry.frequency() + (1.0 - 1.0 / (2.0 + entry.lastAccess()));
    }
}
