package io.gpufaas.core.cache;

/** Counters a cache keeps, so the job's metrics and the simulator count the same things. */
public record CacheStats(long hits, long misses, long evictions, long bytesLoaded, long loads, long failedLoads) {}
