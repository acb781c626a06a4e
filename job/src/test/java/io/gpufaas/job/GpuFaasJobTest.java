package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class GpuFaasJobTest {

    @Test
    void networkBuffersFlushForLatencyUnlessTheUserChoseATimeout() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        Configuration defaults = JobConfig.fromArgs(new Configuration());
        GpuFaasJob.addKafkaPipeline(env, defaults, OutputLimits.assumed(defaults));
        assertThat(env.getBufferTimeout()).isEqualTo(GpuFaasJob.LOW_LATENCY_BUFFER_TIMEOUT_MS);

        StreamExecutionEnvironment chosen = StreamExecutionEnvironment.createLocalEnvironment(1);
        Configuration timeout = JobConfig.fromArgs(new Configuration(), "--execution.buffer-timeout.interval", "40 ms");
        GpuFaasJob.addKafkaPipeline(chosen, timeout, OutputLimits.assumed(timeout));
        assertThat(chosen.getBufferTimeout()).isEqualTo(40);
    }
}
