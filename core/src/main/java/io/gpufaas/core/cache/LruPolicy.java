package io.gpufaas.core.cache;

/** Least recently used: evicts the model whose last access is oldest. */
public final class LruPolicy implements EvictionPolicy {

    public static final String NAME = "lru";

    @Override
    public String name() {
        return NAME;
    }

    /** The access clock only grows, so an accessed entry is always the most recent. */
    @Override
    public boolean accessRanksLast() {
        return true;
    }

    @Override
    public double priorityOnAccess(CacheEntry entry) {
        return entry.lastAccess();
    }
}
