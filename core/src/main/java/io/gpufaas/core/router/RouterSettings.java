package io.gpufaas.core.router;

import io.gpufaas.core.cache.EvictionPolicies;
import java.io.Serializable;

/**
 * How the router schedules.
 *
 * @param policy routing policy by name ({@link RoutingPolicies#NAMES})
 * @param workers number of worker subtasks
 * @param workerMemoryBytes device memory the router assumes per worker until reports say otherwise
 * @param slotsPerWorker invocations the router lets a worker hold at once (its concurrency, plus
 *     enough to cover the feedback delay)
 * @param maxBypass out-of-order bound: how often one waiting invocation may be overtaken
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
 *     {@code slotsPerWorker} for fixed slots
 */
public record RouterSettings(
        String policy,
        int workers,
        long workerMemoryBytes,
        int slotsPerWorker,
        int maxBypass,
        int window,
        long reportTimeoutMs,
        int maxPending,
        long maxPendingBytes,
        String evictionPolicy,
        int maxSlotsPerWorker) implements Serializable {

    /** Fixed slots: {@code slotsPerWorker} credits for every worker, always. */
    public RouterSettings(String policy, int workers, long workerMemoryBytes, int slotsPerWorker, int maxBypass, int window,
            long reportTimeoutMs, int maxPending, long maxPendingBytes, String evictionPolicy) {
        this(policy, workers, workerMemoryBytes, slotsPerWorker, maxBypass, window, reportTimeoutMs, maxPending,
                maxPendingBytes, evictionPolicy, slotsPerWorker);
    }

    public RouterSettings {
        RoutingPolicies.create(policy); // an unknown name fails here, at submission
        EvictionPolicies.create(evictionPolicy);
        if (workers < 1 || workerMemoryBytes <= 0 || slotsPerWorker < 1 || maxBypass < 0 || window < 1
                || reportTimeoutMs <= 0 || maxPending < 1 || maxPendingBytes < 1 || maxSlotsPerWorker < slotsPerWorker) {
            throw new IllegalArgumentException("invalid router settings: " + workers + " workers, "
                    + workerMemoryBytes + " bytes, " + slotsPerWorker + " slots, bypass " + maxBypass
                    + ", window " + window + ", report timeout " + reportTimeoutMs + " ms, max pending " + maxPending
                    + " invocations and " + maxPendingBytes + " bytes, at most " + maxSlotsPerWorker + " slots");
        }
    }

    /** The same settings for a pool of {@code n} workers. */
    public RouterSettings withWorkers(int n) {
        return new RouterSettings(policy, n, workerMemoryBytes, slotsPerWorker, maxBypass, window, reportTimeoutMs,
                maxPending, maxPendingBytes, evictionPolicy, maxSlotsPerWorker);
    }
}
