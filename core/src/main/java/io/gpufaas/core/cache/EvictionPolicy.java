package io.gpufaas.core.cache;

/**
 * Ranks resident models for eviction: {@link ModelCache} evicts the evictable entry with the
 * lowest {@link CacheEntry#priority()}. A policy sets that priority whenever an entry is admitted
 * or accessed; ties break by model name, so every decision is deterministic.
 */
public interface EvictionPolicy {

    /** The name config uses to choose this policy. */
    String name();

    /** The priority of {@code entry}, which was just admitted or accessed. */
    double priorityOnAccess(CacheEntry entry);

    /**
     * Whether every access gives the entry a priority above every other entry's (recency): the
     * cache then keeps its eviction order in a list, each access O(1), instead of a tree.
     */
    default boolean accessRanksLast() {
        return false;
    }

    /** Called with each evicted entry, before it is removed. */
    default void onEvict(CacheEntry victim) {}

    /** Policy-wide state worth checkpointing (GreedyDual's inflation value); 0 for most. */
    default double state() {
        return 0;
    }

    default void restoreState(double state) {}
}
