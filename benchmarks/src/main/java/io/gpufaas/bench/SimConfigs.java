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

    /**
     * Time from an invocation's end to its report reaching the router: the job writes reports
     * with linger 0, and a report crosses the status topic (a produce and a fetch) and one
     * exchange; the report round trip measured 3.6-5.5 ms on the 2-core machine with 1 ms buffer
     * flushes (issue 21's profile). The job now flushes after every record, which shortens it;
     * 5 ms is kept so that the grid's figures stay comparable across runs.
     */
    static final double REPORT_DELAY_MS = 5;

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
        return new Simulator.Config(gpus, memoryBytes, settings.router(), settings.worker(), REPORT_DELAY_MS, 0);
    }
}
