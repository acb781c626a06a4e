package io.gpufaas.core.cache;

import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The eviction order as a doubly linked list through the entries themselves, an entry's place
 * found by walking back from the end. Right for any rank, and fast for recency: an accessed entry
 * belongs at the end of its part of the order (models nobody waits for, then those with queued
 * invocations), so the walk passes only the few entries with queued invocations. An entry whose
 * queue empties or fills moves between the parts; under recency it was usually just accessed, so
 * that walk is short too.
 */
final class RecencyEvictionOrder implements EvictionOrder {

    private final Comparator<CacheEntry> rank;
    private CacheEntry head;
    private CacheEntry tail;
    private int size;

    RecencyEvictionOrder(Comparator<CacheEntry> rank) {
        this.rank = rank;
    }

    @Override
    public void add(CacheEntry e) {
        if (contains(e)) {
            throw new IllegalStateException(e.model() + " is already in the eviction order");
        }
        CacheEntry before = tail;
        while (before != null && rank.compare(before, e) > 0) {
            before = before.earlier;
        }
        CacheEntry after = before == null ? head : before.later;
        e.earlier = before;
        e.later = after;
        if (before == null) {
            head = e;
        } else {
            before.later = e;
        }
        if (after == null) {
            tail = e;
        } else {
            after.earlier = e;
        }
        size++;
    }

    @Override
    public boolean remove(CacheEntry e) {
        if (!contains(e)) {
            return false;
        }
        if (e.earlier == null) {
            head = e.later;
        } else {
            e.earlier.later = e.later;
        }
        if (e.later == null) {
            tail = e.earlier;
        } else {
            e.later.earlier = e.earlier;
        }
        e.earlier = null;
        e.later = null;
        size--;
        return true;
    }

    /** An entry belongs to one cache's order: it is in it when it has a neighbour, or is the only one. */
    private boolean contains(CacheEntry e) {
        return e.earlier != null || e.later != null || head == e;
    }

    @Override
    public CacheEntry last() {
        return tail;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Iterator<CacheEntry> iterator() {
        return new Iterator<>() {
            private CacheEntry next = head;

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public CacheEntry next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                CacheEntry e = next;
                next = e.later;
                return e;
            }
        };
    }
}
