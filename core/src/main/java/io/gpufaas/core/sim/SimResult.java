package io.gpufaas.core.sim;

import java.util.Arrays;

/**
 * What one simulated run measured: every invocation's latency, hits and misses, and the devices'
 * busy time (loads plus batches, in GPU-milliseconds: what the run cost the pool).
 */
public record SimResult(String policy, double[] latenciesMs, long hits, long misses, double makespanMs, double busyGpuMs) {

    public SimResult {
        latenciesMs = latenciesMs.clone();
        Arrays.sort(latenciesMs);
    }

    /** A result that did not measure device time. */
    public SimResult(String policy, double[] latenciesMs, long hits, long misses, double makespanMs) {
        this(policy, latenciesMs, hits, misses, makespanMs, 0);
    }

    public double meanMs() {
        return Arrays.stream(latenciesMs).average().orElse(0);
    }

    /** The {@code q}-quantile (0..1), nearest rank. */
    public double quantileMs(double q) {
        if (latenciesMs.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(q * latenciesMs.length) - 1;
        return latenciesMs[Math.max(0, Math.min(latenciesMs.length - 1, i))];
    }

    public double hitRatio() {
        long n = hits + misses;
        return n == 0 ? 0 : (double) hits / n;
    }
}
