package io.gpufaas.core.worker;

import io.gpufaas.core.cache.EvictionPolicies;
import java.io.Serializable;

/**
 * How a worker runs its device. {@link #DEFAULTS} holds the defaults the job's options document;
 * change one setting with the {@code with…} methods.
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

    /** The job's defaults. */
    public static final WorkerSettings DEFAULTS = new WorkerSettings(2, 8, 0, true, 16, "lru", true, 256L << 20, 256,
            600_000);

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
        EvictionPolicies.create(evictionPolicy); // fails on an unknown name
    }

    public WorkerSettings withConcurrency(int n) {
        return new WorkerSettings(n, maxBatch, maxBatchDelayMs, outOfOrder, maxBypass, evictionPolicy, warmRestore,
                maxDecodedBytes, queueCapacity, timeoutMs);
    }

    /** Batches of at most {@code size} invocations, a partial one waiting at most {@code delayMs}. */
    public WorkerSettings withBatching(int size, long delayMs) {
        return new WorkerSettings(concurrency, size, delayMs, outOfOrder, maxBypass, evictionPolicy, warmRestore,
                maxDecodedBytes, queueCapacity, timeoutMs);
    }

    public WorkerSettings withOutOfOrder(boolean on, int bypass) {
        return new WorkerSettings(concurrency, maxBatch, maxBatchDelayMs, on, bypass, evictionPolicy, warmRestore,
                maxDecodedBytes, queueCapacity, timeoutMs);
    }

    public WorkerSettings withEvictionPolicy(String name) {
        return new WorkerSettings(concurrency, maxBatch, maxBatchDelayMs, outOfOrder, maxBypass, name, warmRestore,
                maxDecodedBytes, queueCapacity, timeoutMs);
    }

    public WorkerSettings withWarmRestore(boolean on) {
        return new WorkerSettings(concurrency, maxBatch, maxBatchDelayMs, outOfOrder, maxBypass, evictionPolicy, on,
                maxDecodedBytes, queueCapacity, timeoutMs);
    }

    public WorkerSettings withMaxDecodedBytes(long bytes) {
        return new WorkerSettings(concurrency, maxBatch, maxBatchDelayMs, outOfOrder, maxBypass, evictionPolicy,
                warmRestore, bytes, queueCapacity, timeoutMs);
    }

    public WorkerSettings withQueueCapacity(int n) {
        return new WorkerSettings(concurrency, maxBatch, maxBatchDelayMs, outOfOrder, maxBypass, evictionPolicy,
                warmRestore, maxDecodedBytes, n, timeoutMs);
    }

    public WorkerSettings withTimeoutMs(long ms) {
        return new WorkerSettings(concurrency, maxBatch, maxBatchDelayMs, outOfOrder, maxBypass, evictionPolicy,
                warmRestore, maxDecodedBytes, queueCapacity, ms);
    }
}
