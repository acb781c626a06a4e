package io.gpufaas.core.sim;

import java.util.Arrays;

/**
 * What one simulated run measured: every invocation's latency, hits and misses, and the devices'
 * busy time (loads plus batches, in GPU-milliseconds: what the run cost the pool).
 *
 * <p>{@link #latenciesMs} is sorted, for quantiles, so its i-th entry is not the i-th invocation's:
 * read {@link #latencyOfInvocationMs} for that. A diagnosis that paired the sorted array with the
 * workload's arrivals once found the slowest invocations always "arriving last". Both arrays are
 * made from the one given, so they cannot disagree.
 */
public final class SimResult {

    private final String policy;
    private final double[] latenciesByInvocationMs;
    private final double[] latenciesMs;
    private final long hits;
    private final long misses;
    private final double makespanMs;
    private final double busyGpuMs;
    private final long policyDecisions;
    private final long keptRefusals;

    /**
     * @param latenciesMs every invocation's latency in the order given: the workload's invocation
     *     order when {@link Simulator} builds the result (copied; the sorted copy is made here)
     * @param policyDecisions the router's asks of its policy ({@link io.gpufaas.core.router.Scheduler#decisions})
     * @param keptRefusals the router's kept refusals found standing ({@link io.gpufaas.core.router.Scheduler#keptRefusals})
     */
    public SimResult(String policy, double[] latenciesMs, long hits, long misses, double makespanMs, double busyGpuMs,
            long policyDecisions, long keptRefusals) {
        this.policy = policy;
        this.latenciesByInvocationMs = latenciesMs.clone();
        this.latenciesMs = latenciesMs.clone();
        Arrays.sort(this.latenciesMs);
        this.hits = hits;
        this.misses = misses;
        this.makespanMs = makespanMs;
        this.busyGpuMs = busyGpuMs;
        this.policyDecisions = policyDecisions;
        this.keptRefusals = keptRefusals;
    }

    /** A result that did not measure device time or count the router's work. */
    public SimResult(String policy, double[] latenciesMs, long hits, long misses, double makespanMs) {
        this(policy, latenciesMs, hits, misses, makespanMs, 0, 0, 0);
    }

    public String policy() {
        return policy;
    }

    /** Every invocation's latency, sorted ascending. */
    public double[] latenciesMs() {
        return latenciesMs;
    }

    /** Every invocation's latency in the order given (the workload's invocation order from {@link Simulator}). */
    public double[] latenciesByInvocationMs() {
        return latenciesByInvocationMs;
    }

    /** The router's asks of its policy over the run: work that CPU time measures only within a factor of 2 here. */
    public long policyDecisions() {
        return policyDecisions;
    }

    /** The router's kept refusals found standing over the run, each a check instead of an ask. */
    public long keptRefusals() {
        return keptRefusals;
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    public double makespanMs() {
        return makespanMs;
    }

    /** The devices' busy time, loads plus batches, in GPU-milliseconds; 0 if not measured. */
    public double busyGpuMs() {
        return busyGpuMs;
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
