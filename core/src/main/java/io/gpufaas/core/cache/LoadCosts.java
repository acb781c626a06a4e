package io.gpufaas.core.cache;

/**
 * What a model's load is assumed to cost before any load has measured it. The one place this
 * guess lives: the router's statistics and a worker's cache both start from it, and
 * measurements replace it.
 */
public final class LoadCosts {

    /** Host-to-device throughput assumed for a model no load has measured yet: 500 MB/s. */
    public static final double ASSUMED_LOAD_BYTES_PER_MS = 500_000;

    private LoadCosts() {}

    /** The load time assumed for a model of {@code bytes}: at least a millisecond. */
    public static double assumedLoadMs(long bytes) {
        return Math.max(1, bytes / ASSUMED_LOAD_BYTES_PER_MS);
    }
}
