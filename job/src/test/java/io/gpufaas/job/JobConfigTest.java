package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpufaas.core.router.RouterSettings;
import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.core.worker.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

    @Test
    void defaultsApplyWithoutArguments() {
        Configuration conf = JobConfig.fromArgs(new Configuration());
        assertThat(conf.get(GpuFaasOptions.INVOCATIONS_TOPIC)).isEqualTo("gpufaas.invocations");
        assertThat(conf.get(GpuFaasOptions.DELIVERY_GUARANTEE)).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
    }

    @Test
    void argumentsOverrideConfigYamlWhichOverridesDefaults(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.yaml"), """
                gpufaas:
                  kafka:
                    bootstrap-servers: yaml:9092
                    topic:
                      results: from-yaml
                """);
        Configuration conf = JobConfig.fromArgs(new Configuration(),
                "--config-dir", dir.toString(),
                "--gpufaas.kafka.bootstrap-servers", "args:9092",
                "-Dgpufaas.decode.max-record-size=1mb");

        assertThat(conf.get(GpuFaasOptions.BOOTSTRAP_SERVERS)).isEqualTo("args:9092");
        assertThat(conf.get(GpuFaasOptions.RESULTS_TOPIC)).isEqualTo("from-yaml");
        assertThat(conf.get(GpuFaasOptions.MAX_RECORD_SIZE)).isEqualTo(MemorySize.parse("1mb"));
    }

    @Test
    void kafkaClientPropertiesPassThroughWithoutThePrefix() {
        Configuration conf = JobConfig.fromArgs(new Configuration(),
                "--gpufaas.kafka.properties.security.protocol", "SASL_SSL",
                "--gpufaas.kafka.properties.sasl.mechanism", "PLAIN");

        assertThat(JobConfig.kafkaProperties(conf))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .hasSize(2);
    }

    @Test
    void rejectsUnknownOptionsByName() {
        assertThatThrownBy(() -> JobConfig.fromArgs(new Configuration(), "--gpufaas.kafka.topic.invocation", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown option 'gpufaas.kafka.topic.invocation'")
                .hasMessageContaining("did you mean 'gpufaas.kafka.topic.invocations'?");
        assertThatThrownBy(() -> JobConfig.fromArgs(new Configuration(), "--gpufaas.nothing.like.this", "x"))
                .hasMessageNotContaining("did you mean");
    }

    @Test
    void aMaximumOfCreditsBelowTheStartingCreditsFailsNamingBoth() {
        Configuration conf = JobConfig.fromArgs(new Configuration(), "--gpufaas.router.slots-per-worker", "300");
        assertThatThrownBy(() -> JobSettings.from(conf, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpufaas.router.max-slots-per-worker (256) is below gpufaas.router.slots-per-worker (300)");
        Configuration both = JobConfig.fromArgs(new Configuration(), "--gpufaas.router.slots-per-worker", "256",
                "--gpufaas.router.max-slots-per-worker", "256");
        assertThat(JobSettings.from(both, 2).router().maxSlotsPerWorker()).isEqualTo(256);
    }

    @Test
    void thePolicyIsParsedOnceIntoWhatTheRouterRuns() {
        Configuration conf = JobConfig.fromArgs(new Configuration(), "--gpufaas.router.policy", "Round-Robin");
        JobSettings settings = JobSettings.from(conf, 3);
        assertThat(settings.router().policy()).isEqualTo(PolicyName.ROUND_ROBIN);
        assertThat(settings.workers()).isEqualTo(3);
        assertThat(JobSettings.from(new Configuration(), 1).router()).isEqualTo(RouterSettings.DEFAULTS);
        assertThat(JobSettings.from(new Configuration(), 1).worker()).isEqualTo(WorkerSettings.DEFAULTS);
        assertThatThrownBy(() -> JobConfig.fromArgs(new Configuration(), "--gpufaas.router.policy", "random"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpufaas.router.policy");
    }

    @Test
    void moreCreditsThanAWorkerQueueHoldsFailsNamingBoth() {
        Configuration conf = JobConfig.fromArgs(new Configuration(), "--gpufaas.router.max-slots-per-worker", "512",
                "--gpufaas.worker.queue-capacity", "256");
        assertThatThrownBy(() -> JobSettings.from(conf, 2))
                .hasMessageContaining("gpufaas.router.max-slots-per-worker (512) is above gpufaas.worker.queue-capacity (256)");
    }

    @Test
    void aNegativeOvertakenWorkBoundFailsNamingItsKey() {
        Configuration conf = JobConfig.fromArgs(new Configuration(), "--gpufaas.router.out-of-order.max-overtaken-work", "-1");
        assertThatThrownBy(() -> JobSettings.from(conf, 2))
                .hasMessageContaining("gpufaas.router.out-of-order.max-overtaken-work must be a finite number of at least 0");
        Configuration two = JobConfig.fromArgs(new Configuration(), "--gpufaas.router.out-of-order.max-overtaken-work", "2.5");
        assertThat(JobSettings.from(two, 2).router().maxOvertakenWork()).isEqualTo(2.5);
        assertThat(JobSettings.from(new Configuration(), 2).router().maxOvertakenWork()).isEqualTo(4.0);
    }

    @Test
    void aWorkerParallelismOfZeroFailsInsteadOfFallingBack() {
        Configuration conf = JobConfig.fromArgs(new Configuration(), "--gpufaas.worker.parallelism", "0");
        assertThatThrownBy(() -> JobSettings.from(conf, 2)).hasMessageContaining("gpufaas.worker.parallelism");
        Configuration four = JobConfig.fromArgs(new Configuration(), "--gpufaas.worker.parallelism", "4");
        assertThat(JobSettings.from(four, 2).workers()).isEqualTo(4);
    }

    @Test
    void rejectsValuesOfTheWrongType() {
        assertThatThrownBy(() -> JobConfig.fromArgs(new Configuration(), "--gpufaas.worker.parallelism", "many"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpufaas.worker.parallelism");
    }

    @Test
    void rejectsMalformedArguments(@TempDir Path empty) {
        assertThatThrownBy(() -> JobConfig.fromArgs(new Configuration(), "--gpufaas.job.name"))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> JobConfig.fromArgs(new Configuration(), "stray"))
                .hasMessageContaining("unexpected argument 'stray'");
        assertThatThrownBy(() -> JobConfig.fromArgs(new Configuration(), "--config-dir", empty.toString()))
                .hasMessageContaining("holds no config.yaml");
    }
}
