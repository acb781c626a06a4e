package io.gpufaas.job;

import io.gpufaas.core.contract.DecodeLimits;
import io.gpufaas.core.router.RouterSettings;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.udf.device.DeviceSelector;
import org.apache.flink.configuration.Configuration;

/**
 * The one way a component's settings are made: each settings record is built once from a Flink
 * {@link Configuration}, whose defaults live only in {@link GpuFaasOptions}. The job and the
 * simulator's benchmarks build their settings here, so "the job's defaults" means the same thing
 * to both ({@code JobSettings.worker(new Configuration())}); many tests still use the records'
 * positional constructors with numbers of their own.
 */
public final class JobSettings {

    private JobSettings() {}

    /**
     * The most credits per worker, at least the starting credits: a smaller maximum is a
     * mistake said loudly with both keys, not raised to the minimum behind the user's back.
     */
    private static int maxSlots(Configuration conf) {
        int slots = conf.get(GpuFaasOptions.ROUTER_SLOTS);
        int max = conf.get(GpuFaasOptions.ROUTER_MAX_SLOTS);
        if (max < slots) {
            throw new IllegalArgumentException(GpuFaasOptions.ROUTER_MAX_SLOTS.key() + " (" + max + ") is below "
                    + GpuFaasOptions.ROUTER_SLOTS.key() + " (" + slots + "): set it to at least " + slots
                    + " (equal values give every worker fixed credits)");
        }
        return max;
    }

    /** The router's settings for a job of {@code workers} worker subtasks. */
    public static RouterSettings router(Configuration conf, int workers) {
        return new RouterSettings(
                conf.get(GpuFaasOptions.ROUTING_POLICY),
                workers,
                conf.getOptional(GpuFaasOptions.ROUTER_WORKER_MEMORY)
                        .orElse(conf.get(GpuFaasOptions.CPU_MEMORY_BUDGET)).getBytes(),
                conf.get(GpuFaasOptions.ROUTER_SLOTS),
                conf.get(GpuFaasOptions.ROUTER_MAX_BYPASS),
                conf.get(GpuFaasOptions.ROUTER_WINDOW),
                conf.get(GpuFaasOptions.ROUTER_REPORT_TIMEOUT).toMillis(),
                conf.get(GpuFaasOptions.ROUTER_MAX_PENDING),
                conf.get(GpuFaasOptions.ROUTER_MAX_PENDING_BYTES).getBytes(),
                conf.get(GpuFaasOptions.EVICTION_POLICY),
                maxSlots(conf));
    }

    public static WorkerSettings worker(Configuration conf) {
        return new WorkerSettings(
                conf.get(GpuFaasOptions.WORKER_CONCURRENCY),
                conf.get(GpuFaasOptions.MAX_BATCH_SIZE),
                conf.get(GpuFaasOptions.MAX_BATCH_DELAY).toMillis(),
                conf.get(GpuFaasOptions.OUT_OF_ORDER),
                conf.get(GpuFaasOptions.MAX_BYPASS),
                conf.get(GpuFaasOptions.EVICTION_POLICY),
                conf.get(GpuFaasOptions.WARM_RESTORE),
                conf.get(GpuFaasOptions.WORKER_MAX_DECODED_BYTES).getBytes(),
                conf.get(GpuFaasOptions.WORKER_QUEUE_CAPACITY),
                conf.get(GpuFaasOptions.WORKER_TIMEOUT).toMillis());
    }

    public static DecodeLimits decode(Configuration conf) {
        return DecodeLimits.withMaxRecordBytes(
                (int) Math.min(Integer.MAX_VALUE, conf.get(GpuFaasOptions.MAX_RECORD_SIZE).getBytes()));
    }

    public static DeviceSelector devices(Configuration conf) {
        return new DeviceSelector(conf.get(GpuFaasOptions.DEVICE_KIND), conf.get(GpuFaasOptions.CPU_MEMORY_BUDGET).getBytes());
    }
}
