package io.gpufaas.core.worker;

import java.io.Serializable;

/**
 * How a worker runs its device.
 *
 * @param concurrency batches in flight at once on the device (a GPU overlaps kernels of several)
 * @param maxBatch most invocations of one model run as one batch
 * @param maxBatchDelayMs how long a partial batch may wait for more (0: run what is there)
 * @param outOfOrder let invocations of resident models overtake one waiting for a load
 * @param maxBypass how often an invocation may be overtaken before nothing overtakes it
 * @param evictionPolicy the cache's eviction policy by name (lru, lfu, gdsf)
 * @param warmRestore reload the checkpointed resident models before taking traffic after a restore
 * @param maxDecodedBytes decoded input (bitmaps, tensors) held in memory at once: a batch that
 *     would exceed it waits for running ones, unless nothing runs
 * @param queueCapacity invocations a worker holds (queued and running) before back-pressure
 * @param timeoutMs an invocation without a result after this ends as a TIMEOUT error
 *
 * <p>Defaults live in the job's {@code GpuFaasOptions}; {@code JobSettings} builds this record from
 * a Flink configuration for the job and the simulator's benchmarks. Tests (and the cache
 * benchmark) still call the positional constructor with their own numbers.
 */
public record WorkerSettings(
        int concurrency,
        int maxBatch,
        long maxBatchDelayMs,
        boolean outOfOrder,
        int maxBypass,
        String evictionPolicy,
        boolean warmRestore,
        long maxDecodedBytes,
        int queueCapacity,
        long timeoutMs) implements Serializable {

    public WorkerSettings {
        if (concurrency < 1) {
            throw new IllegalArgumentException("worker concurrency must be at least 1, was " + concurrency);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch size must be at least 1, was " + maxBatch);
        }
        if (queueCapacity < 1 || timeoutMs < 1) {
            throw new IllegalArgumentException("worker queue capacity and timeout must be positive, were "
                    + queueCapacity + " and " + timeoutMs + " ms");
        }
        if (maxDecodedBytes < 1) {
            throw new IllegalArgumentException("max decoded bytes must be positive, was " + maxDecodedBytes);
        }
        if (maxBatchDelayMs < 0 || maxBypass < 0) {
            throw new IllegalArgumentException("batch delay and bypass bound must not be negative");
        }
        io.gpufaas.core.cache.EvictionPolicies.create(evictionPolicy); // fails on an unknown name
    }
}
