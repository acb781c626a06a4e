package io.gpufaas.core.router;

import io.gpufaas.core.cache.EvictionPolicies;
import io.gpufaas.core.router.policy.PolicyName;
import java.io.Serializable;

/**
 * How the router schedules. {@link #DEFAULTS} holds the defaults the job's options document;
 * change one setting with the {@code with…} methods.
 *
 * @param policy the routing policy
 * @param workers number of worker subtasks
 * @param workerMemoryBytes device memory the router assumes per worker until reports say otherwise
 * @param slotsPerWorker invocations the router lets a worker hold at once to begin with (its
 *     concurrency, plus enough to cover the feedback delay), and at least
 * @param maxBypass out-of-order bound: how often one waiting invocation may be overtaken
 * @param maxOvertakenWork out-of-order bound in work: the expected run time of the invocations that
 *     may overtake one waiting invocation, in multiples of its own expected load and run
 * @param window how deep out-of-order dispatch looks into the queue
 * @param reportTimeoutMs a worker silent this long while holding work gets its slots back
 * @param maxPending invocations the router holds waiting; beyond it new ones are shed with an
 *     {@code OVERLOADED} result, so memory stays bounded (back-pressure cannot cross the
 *     feedback loop without deadlocking it)
 * @param maxPendingBytes input bytes of the invocations the router holds waiting: the same bound
 *     in bytes, since {@code maxPending} records of the largest accepted size could fill any heap
 * @param evictionPolicy the eviction policy by name (lru, lfu, gdsf): the router plans evictions
 *     with the same policy the workers' caches use
 * @param maxSlotsPerWorker the most credits {@link Credits} may give one worker; equal to
 *     {@code slotsPerWorker} for fixed slots, never below it
 */
public record RouterSettings(
        PolicyName policy,
        int workers,
        long workerMemoryBytes,
        int slotsPerWorker,
        int maxBypass,
        double maxOvertakenWork,
        int window,
        long reportTimeoutMs,
        int maxPending,
        long maxPendingBytes,
        String evictionPolicy,
        int maxSlotsPerWorker) implements Serializable {

    /** The job's defaults, for a pool of one worker with 2 GiB (the CPU device's default budget). */
    public static final RouterSettings DEFAULTS = new RouterSettings(PolicyName.DEMAND, 1, 2L << 30, 4, 64, 4, 64,
            120_000, 100_000, 256L << 20, "lru", 256);

    public RouterSettings {
        EvictionPolicies.create(evictionPolicy); // an unknown name fails here, at submission
        require(policy != null, "a routing policy is required");
        require(workers >= 1, "the router needs at least one worker, was " + workers);
        require(workerMemoryBytes > 0, "worker memory must be positive, was " + workerMemoryBytes + " bytes");
        require(slotsPerWorker >= 1, "slots per worker must be at least 1, was " + slotsPerWorker);
        require(maxSlotsPerWorker >= slotsPerWorker, "the most slots per worker (" + maxSlotsPerWorker
                + ") is below the slots per worker (" + slotsPerWorker + "): set it to at least " + slotsPerWorker
                + " (equal values give every worker fixed credits)");
        require(maxBypass >= 0 && window >= 1, "out-of-order bypass must not be negative and the window must be "
                + "at least 1, were " + maxBypass + " and " + window);
        require(maxOvertakenWork >= 0 && Double.isFinite(maxOvertakenWork), "the overtaken work bound must be a "
                + "finite multiple of at least 0, was " + maxOvertakenWork);
        require(reportTimeoutMs > 0, "the report timeout must be positive, was " + reportTimeoutMs + " ms");
        require(maxPending >= 1 && maxPendingBytes >= 1, "the router's queue bounds must be positive, were "
                + maxPending + " invocations and " + maxPendingBytes + " bytes");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public RouterSettings withPolicy(PolicyName p) {
        return new RouterSettings(p, workers, workerMemoryBytes, slotsPerWorker, maxBypass, maxOvertakenWork, window,
                reportTimeoutMs, maxPending, maxPendingBytes, evictionPolicy, maxSlotsPerWorker);
    }

    /** The same settings for a pool of {@code n} workers with {@code memoryBytes} each. */
    public RouterSettings withWorkers(int n, long memoryBytes) {
        return new RouterSettings(policy, n, memoryBytes, slotsPerWorker, maxBypass, maxOvertakenWork, window,
                reportTimeoutMs, maxPending, maxPendingBytes, evictionPolicy, maxSlotsPerWorker);
    }

    /** Credits between {@code slots} and {@code maxSlots} per worker (equal: fixed slots). */
    public RouterSettings withSlots(int slots, int maxSlots) {
        return new RouterSettings(policy, workers, workerMemoryBytes, slots, maxBypass, maxOvertakenWork, window,
                reportTimeoutMs, maxPending, maxPendingBytes, evictionPolicy, maxSlots);
    }

    public RouterSettings withOutOfOrder(int bypass, int depth) {
        return new RouterSettings(policy, workers, workerMemoryBytes, slotsPerWorker, bypass, maxOvertakenWork, depth,
                reportTimeoutMs, maxPending, maxPendingBytes, evictionPolicy, maxSlotsPerWorker);
    }

    /** Out-of-order dispatch's bound in work: {@code factor} times a waiting invocation's own load and run. */
    public RouterSettings withMaxOvertakenWork(double factor) {
        return new RouterSettings(policy, workers, workerMemoryBytes, slotsPerWorker, maxBypass, factor, window,
                reportTimeoutMs, maxPending, maxPendingBytes, evictionPolicy, maxSlotsPerWorker);
    }

    public RouterSettings withReportTimeoutMs(long ms) {
        return new RouterSettings(policy, workers, workerMemoryBytes, slotsPerWorker, maxBypass, maxOvertakenWork, window,
                ms, maxPending, maxPendingBytes, evictionPolicy, maxSlotsPerWorker);
    }

    /** Bounds of the router's queue, in invocations and in input bytes. */
    public RouterSettings withMaxPending(int invocations, long bytes) {
        return new RouterSettings(policy, workers, workerMemoryBytes, slotsPerWorker, maxBypass, maxOvertakenWork, window,
                reportTimeoutMs, invocations, bytes, evictionPolicy, maxSlotsPerWorker);
    }

    public RouterSettings withEvictionPolicy(String name) {
        return new RouterSettings(policy, workers, workerMemoryBytes, slotsPerWorker, maxBypass, maxOvertakenWork, window,
                reportTimeoutMs, maxPending, maxPendingBytes, name, maxSlotsPerWorker);
    }
}
