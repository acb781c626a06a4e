package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.job.local.SampleInvocations;
import io.gpufaas.job.local.SampleInvocations.Sample;
import io.gpufaas.testkit.KafkaProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker is stopped and started again while the job works through a stream: under the
 * default at-least-once guarantee every invocation still gets a result (duplicates allowed), and
 * the job is running afterwards. The broker is a JVM of its own, restarted on the same port with
 * the same data, as an operator would restart it.
 */
class BrokerRestartITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestMiniClusters.of(1, 2);

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Test
    void aBrokerRestartMidStreamLosesNothing(@TempDir Path dir) throws Exception {
        try (KafkaProcess kafka = KafkaProcess.format(dir)) {
            kafka.start();
            JobTopics topics = JobTopics.create(kafka, "restart", 2);
            Configuration envConf = new Configuration();
            envConf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(envConf);
            env.setParallelism(2);
            JobClient job = GpuFaasJob.start(env, topics.config());
            try {
                List<Sample> first = SampleInvocations.valid("before", 150);
                List<Sample> second = SampleInvocations.valid("after", 150);
                try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
                    for (Sample s : first) {
                        producer.send(new ProducerRecord<>(topics.invocations(), s.key().getBytes(StandardCharsets.UTF_8),
                                s.value()));
                    }
                    producer.flush();
                }
                // Mid-stream: the job is still reading, routing and writing these.
                kafka.stop();
                kafka.start();
                try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
                    for (Sample s : second) {
                        producer.send(new ProducerRecord<>(topics.invocations(), s.key().getBytes(StandardCharsets.UTF_8),
                                s.value()));
                    }
                    producer.flush();
                }
                int expected = first.size() + second.size();
                List<ConsumerRecord<byte[], byte[]>> results = kafka.readUntil(topics.results(),
                        r -> r.stream().map(c -> new String(c.key(), StandardCharsets.UTF_8)).distinct().count() >= expected,
                        TIMEOUT);

                Map<String, Integer> perId = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : results) {
                    InvocationResult result = EventJson.decodeResult(r.value());
                    assertThat(result.status()).isEqualTo(ResultStatus.OK);
                    perId.merge(result.id(), 1, Integer::sum);
                }
                assertThat(perId.keySet()).containsAll(first.stream().map(Sample::key).toList())
                        .containsAll(second.stream().map(Sample::key).toList());
                assertThat(job.getJobStatus().get()).isIn(JobStatus.RUNNING, JobStatus.RESTARTING);
                System.out.printf("broker restart: %d invocations, %d results, %d duplicated%n", expected, results.size(),
                        perId.values().stream().filter(n -> n > 1).count());
            } finally {
                job.cancel().get();
            }
        }
    }
}
