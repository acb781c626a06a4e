package io.gpufaas.core.cache;

import java.util.Comparator;

/**
 * A cache's READY entries, sorted by its eviction rank (the first is evicted first). Two ways to
 * keep them: {@link RankedEvictionOrder}, a tree, for any policy; {@link RecencyEvictionOrder}, a
 * list, for a policy whose every access ranks the entry above all others ({@link
 * EvictionPolicy#accessRanksLast}): an access then costs O(1), not two walks of a tree.
 */
interface EvictionOrder extends Iterable<CacheEntry> {

    static EvictionOrder of(EvictionPolicy policy, Comparator<CacheEntry> rank) {
        return policy.accessRanksLast() ? new RecencyEvictionOrder(rank) : new RankedEvictionOrder(rank);
    }

    /** Adds {@code e}, which is not in the order, at its rank. */
    void add(CacheEntry e);

    /** Removes {@code e}; returns whether it was in the order. */
    boolean remove(CacheEntry e);

    /** The entry evicted last; null when empty. */
    CacheEntry last();

    int size();
}
