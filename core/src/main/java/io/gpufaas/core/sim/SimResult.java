package io.gpufaas.core.sim;

import java.util.Arrays;

/**
 * What one simulated run measured: every invocation's latency, hits and misses, and the devices'
 * busy time (loads plus batches, in GPU-milliseconds: what the run cost the pool).
 *
 * <p>{@link #latenciesMs} is sorted, for quantiles, so its i-th entry is not the i-th invocation's:
 * read {@link #latencyOfInvocationMs} for that. A diagnosis that paired the sorted array with the
 * workload's arrivals once found the slowest invocations always "arriving last".
 *
 * @param latenciesMs every invocation's latency, sorted ascending
 * @param latenciesByInvocationMs the same latencies in the order given: the workload's invocation
 *     order when {@link Simulator} built the result
 */
public record SimResult(String policy, double[] latenciesMs, double[] latenciesByInvocationMs, long hits, long misses,
        double makespanMs, double busyGpuMs) {

    public SimResult {
        latenciesByInvocationMs = latenciesByInvocationMs.clone();
        latenciesMs = latenciesByInvocationMs.clone();
        Arrays.sort(latenciesMs);
    }

    /** {@code latenciesMs} in invocation order (the sorted copy is made here). */
    public SimResult(String policy, double[] latenciesMs, long hits, long misses, double makespanMs, double busyGpuMs) {
        this(policy, latenciesMs, latenciesMs, hits, misses, makespanMs, busyGpuMs);
    }

    /** A result that did not measure device time. */
    public SimResult(String policy, double[] latenciesMs, long hits, long misses, double makespanMs) {
        this(policy, latenciesMs, hits, misses, makespanMs, 0);
    }

    /** The latency of the workload's {@code invocation}-th invocation (its index in arrival order). */
    public double latencyOfInvocationMs(int invocation) {
        return latenciesByInvocationMs[invocation];
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
