package io.gpufaas.core.cache;

import java.util.Comparator;
import java.util.Iterator;
import java.util.TreeSet;

/** The eviction order as a tree: O(log n) per change, whatever the policy ranks by. */
final class RankedEvictionOrder implements EvictionOrder {

    private final TreeSet<CacheEntry> entries;

    RankedEvictionOrder(Comparator<CacheEntry> rank) {
        this.entries = new TreeSet<>(rank);
    }

    @Override
    public void add(CacheEntry e) {
        entries.add(e);
    }

    @Override
    public boolean remove(CacheEntry e) {
        return entries.remove(e);
    }

    @Override
    public CacheEntry last() {
        return entries.isEmpty() ? null : entries.last();
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public Iterator<CacheEntry> iterator() {
        return entries.iterator();
    }
}
