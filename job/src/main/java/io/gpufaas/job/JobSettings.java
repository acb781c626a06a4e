package io.gpufaas.job;

import io.gpufaas.core.contract.DecodeLimits;
import io.gpufaas.core.router.RouterSettings;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.udf.device.DeviceSelector;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/**
 * Every component's settings, built once from a Flink {@link Configuration} ({@link #from}). The
 * defaults live in the core records ({@link RouterSettings#DEFAULTS}, {@link WorkerSettings#DEFAULTS})
 * and {@link GpuFaasOptions} documents them; the job and the simulator's benchmarks build their
 * settings here, so "the job's defaults" means the same thing to both. A bad combination fails
 * here, naming the options involved; nothing is raised or clamped behind the user's back.
 *
 * @param router the router's settings, its worker count the workers' parallelism
 * @param worker each worker's settings
 * @param decode the decoder's size limits
 * @param devices how each worker picks its device
 * @param dedupWindow how long accepted invocation ids are remembered; zero for not at all
 * @param dedupMaxIds the most ids remembered at once
 * @param payloadBypassBytes inputs of at least this many bytes go around the router
 */
public record JobSettings(RouterSettings router, WorkerSettings worker, DecodeLimits decode, DeviceSelector devices,
        Duration dedupWindow, int dedupMaxIds, long payloadBypassBytes) {

    /** The number of worker subtasks (one device each). */
    public int workers() {
        return router.workers();
    }

    /**
     * Settings from {@code conf} for a job whose parallelism is {@code parallelism}: the workers
     * take {@code gpufaas.worker.parallelism}, or the job's parallelism when it is -1.
     */
    public static JobSettings from(Configuration conf, int parallelism) {
        int configured = conf.get(GpuFaasOptions.WORKER_PARALLELISM);
        if (configured == 0 || configured < -1) {
            throw new IllegalArgumentException(GpuFaasOptions.WORKER_PARALLELISM.key()
                    + " must be positive or -1 (the job's parallelism), was " + configured);
        }
        int workers = configured > 0 ? configured : parallelism;
        Duration dedup = conf.get(GpuFaasOptions.DEDUP_WINDOW);
        if (dedup.isNegative()) {
            throw new IllegalArgumentException(GpuFaasOptions.DEDUP_WINDOW.key() + " must not be negative, was " + dedup);
        }
        int maxSlots = conf.get(GpuFaasOptions.ROUTER_MAX_SLOTS);
        int capacity = conf.get(GpuFaasOptions.WORKER_QUEUE_CAPACITY);
        if (maxSlots > capacity) {
            throw new IllegalArgumentException(GpuFaasOptions.ROUTER_MAX_SLOTS.key() + " (" + maxSlots + ") is above "
                    + GpuFaasOptions.WORKER_QUEUE_CAPACITY.key() + " (" + capacity + "): a worker could not take what the "
                    + "router lets it hold, and back-pressure would stall the router's output; lower the first or raise "
                    + "the second");
        }
        double overtaken = conf.get(GpuFaasOptions.ROUTER_MAX_OVERTAKEN_WORK);
        if (!(overtaken >= 0) || Double.isInfinite(overtaken)) {
            throw new IllegalArgumentException(GpuFaasOptions.ROUTER_MAX_OVERTAKEN_WORK.key()
                    + " must be a finite number of at least 0, was " + overtaken + " (0: never overtake the oldest "
                    + "waiting invocation once refused; " + GpuFaasOptions.ROUTER_MAX_BYPASS.key() + " bounds the count)");
        }
        int maxIds = conf.get(GpuFaasOptions.DEDUP_MAX_IDS);
        if (maxIds < 1) {
            throw new IllegalArgumentException(GpuFaasOptions.DEDUP_MAX_IDS.key() + " must be positive, was " + maxIds
                    + " (set " + GpuFaasOptions.DEDUP_WINDOW.key() + " to 0 to turn deduplication off)");
        }
        long bypass = conf.get(GpuFaasOptions.ROUTER_PAYLOAD_BYPASS).getBytes();
        if (bypass < 1) {
            throw new IllegalArgumentException(GpuFaasOptions.ROUTER_PAYLOAD_BYPASS.key() + " must be at least 1 byte, was "
                    + bypass + " (set it above " + GpuFaasOptions.MAX_RECORD_SIZE.key()
                    + " to keep every input on the router)");
        }
        return new JobSettings(router(conf, workers), worker(conf), decode(conf), devices(conf), dedup, maxIds, bypass);
    }

    private static RouterSettings router(Configuration conf, int workers) {
        int slots = conf.get(GpuFaasOptions.ROUTER_SLOTS);
        int max = conf.get(GpuFaasOptions.ROUTER_MAX_SLOTS);
        if (max < slots) {
            throw new IllegalArgumentException(GpuFaasOptions.ROUTER_MAX_SLOTS.key() + " (" + max + ") is below "
                    + GpuFaasOptions.ROUTER_SLOTS.key() + " (" + slots + "): set it to at least " + slots
                    + " (equal values give every worker fixed credits)");
        }
        long memory = conf.getOptional(GpuFaasOptions.ROUTER_WORKER_MEMORY)
                .orElse(conf.get(GpuFaasOptions.CPU_MEMORY_BUDGET)).getBytes();
        return RouterSettings.DEFAULTS
                .withPolicy(conf.get(GpuFaasOptions.ROUTING_POLICY))
                .withWorkers(workers, memory)
                .withSlots(slots, max)
                .withOutOfOrder(conf.get(GpuFaasOptions.ROUTER_MAX_BYPASS), conf.get(GpuFaasOptions.ROUTER_WINDOW))
                .withMaxOvertakenWork(conf.get(GpuFaasOptions.ROUTER_MAX_OVERTAKEN_WORK))
                .withReportTimeoutMs(conf.get(GpuFaasOptions.ROUTER_REPORT_TIMEOUT).toMillis())
                .withMaxPending(conf.get(GpuFaasOptions.ROUTER_MAX_PENDING),
                        conf.get(GpuFaasOptions.ROUTER_MAX_PENDING_BYTES).getBytes())
                .withEvictionPolicy(conf.get(GpuFaasOptions.EVICTION_POLICY));
    }

    private static WorkerSettings worker(Configuration conf) {
        return WorkerSettings.DEFAULTS
                .withConcurrency(conf.get(GpuFaasOptions.WORKER_CONCURRENCY))
                .withBatching(conf.get(GpuFaasOptions.MAX_BATCH_SIZE), conf.get(GpuFaasOptions.MAX_BATCH_DELAY).toMillis())
                .withOutOfOrder(conf.get(GpuFaasOptions.OUT_OF_ORDER), conf.get(GpuFaasOptions.MAX_BYPASS))
                .withEvictionPolicy(conf.get(GpuFaasOptions.EVICTION_POLICY))
                .withWarmRestore(conf.get(GpuFaasOptions.WARM_RESTORE))
                .withMaxDecodedBytes(conf.get(GpuFaasOptions.WORKER_MAX_DECODED_BYTES).getBytes())
                .withQueueCapacity(conf.get(GpuFaasOptions.WORKER_QUEUE_CAPACITY))
                .withTimeoutMs(conf.get(GpuFaasOptions.WORKER_TIMEOUT).toMillis());
    }

    private static DecodeLimits decode(Configuration conf) {
        return DecodeLimits.withMaxRecordBytes(
                (int) Math.min(Integer.MAX_VALUE, conf.get(GpuFaasOptions.MAX_RECORD_SIZE).getBytes()));
    }

    private static DeviceSelector devices(Configuration conf) {
        return new DeviceSelector(conf.get(GpuFaasOptions.DEVICE_KIND), conf.get(GpuFaasOptions.CPU_MEMORY_BUDGET).getBytes());
    }
}
