package io.gpufaas.bench;

import io.gpufaas.core.sim.Simulator;
import io.gpufaas.job.GpuFaasOptions;
import io.gpufaas.job.JobSettings;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/**
 * The simulator's settings, built the way the job builds its own ({@link JobSettings} from a
 * Flink configuration with {@link GpuFaasOptions}' defaults): the job's slots per worker, worker
 * concurrency, batching, out-of-order bounds and eviction policy. One difference: the router's
 * queue is unbounded, since an evaluation measures latency under load, not shedding.
 */
final class SimConfigs {

    private SimConfigs() {}

    /** The job's defaults on {@code gpus} GPUs of {@code memoryBytes}. */
    static Simulator.Config job(int gpus, long memoryBytes) {
        return job(gpus, memoryBytes, new Configuration());
    }

    /** The job's settings from {@code conf} on {@code gpus} GPUs of {@code memoryBytes}. */
    static Simulator.Config job(int gpus, long memoryBytes, Configuration conf) {
        Configuration c = new Configuration(conf);
        c.set(GpuFaasOptions.ROUTER_MAX_PENDING, Integer.MAX_VALUE);
        c.set(GpuFaasOptions.ROUTER_MAX_PENDING_BYTES, MemorySize.MAX_VALUE);
        c.set(GpuFaasOptions.ROUTER_WORKER_MEMORY, new MemorySize(memoryBytes));
        JobSettings settings = JobSettings.from(c, gpus);
        return new Simulator.Config(gpus, memoryBytes, settings.router(), settings.worker(),
                Simulator.JOB_REPORT_DELAY_MS, 0);
    }
}
