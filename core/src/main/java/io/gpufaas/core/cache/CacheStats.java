package io.gpufaas.core.cache;

/**
 * What a cache counted: the one count of hits and misses, which the job's metrics and the
 * simulator both read.
 */
public record CacheStats(long hits, long misses, long evictions, long bytesLoaded, long loads, long failedLoads) {

    public static final CacheStats NONE = new CacheStats(0, 0, 0, 0, 0, 0);

    /** The counts of both caches together (a pool's total). */
    public CacheStats plus(CacheStats o) {
        return new CacheStats(hits + o.hits, misses + o.misses, evictions + o.evictions, bytesLoaded + o.bytesLoaded,
                loads + o.loads, failedLoads + o.failedLoads);
    }

    /** Hits over hits and misses; 0 before the first of either. */
    public double hitRatio() {
        long all = hits + misses;
        return all == 0 ? 0 : (double) hits / all;
    }
}
