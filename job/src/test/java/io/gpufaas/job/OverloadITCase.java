package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.testkit.EmbeddedKafka;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Far more invocations at once than one CPU worker can serve: the router's queue stays bounded by
 * shedding (OVERLOADED, its high-water mark is the configured bound), invocations past their
 * deadline end EXPIRED, the rest are served, and every invocation still gets exactly one result.
 */
class OverloadITCase {

    static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final JobTestCluster CLUSTER = JobTestCluster.reportingTo(METRICS, 1, 1);

    @Test
    void aBurstIsShedOrExpiredOrServedAndEveryInvocationIsAnswered() throws Exception {
        EmbeddedKafka kafka = CLUSTER.kafka();
        JobTopics topics = JobTopics.create(kafka, "ov", 1);
        Configuration conf = topics.config(
                "--gpufaas.functions.repository", ModelInferenceITCase.REPOSITORY.toString(),
                "--gpufaas.device.kind", "CPU",
                "--gpufaas.worker.parallelism", "1",
                "--gpufaas.worker.concurrency", "1",
                "--gpufaas.router.slots-per-worker", "1",
                "--gpufaas.router.max-pending", "20");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        JobClient job = GpuFaasJob.start(env, conf);
        int total = 400;
        try {
            ByteBuffer image = ByteBuffer.allocate(3 * 16 * 16 * 4).order(ByteOrder.LITTLE_ENDIAN);
            long now = System.currentTimeMillis();
            try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
                for (int i = 0; i < total; i++) {
                    // Every third invocation only wants an answer within 50 ms.
                    long deadline = i % 3 == 0 ? now + 50 : Invocation.NO_DEADLINE;
                    Invocation inv = new Invocation("o" + i, "tiny-cnn", Payload.tensor(new long[] {1, 3, 16, 16}, image.array()),
                            deadline, Map.of(), null);
                    producer.send(new ProducerRecord<>(topics.invocations(), inv.id().getBytes(StandardCharsets.UTF_8),
                            EventJson.encodeInvocation(inv)));
                }
            }
            List<InvocationResult> results = kafka.readUntil(topics.results(), r -> r.size() >= total, Duration.ofSeconds(120))
                    .stream().map(r -> EventJson.decodeResult(r.value())).toList();

            Map<String, Long> perId = results.stream().collect(Collectors.groupingBy(InvocationResult::id, Collectors.counting()));
            assertThat(perId).hasSize(total);
            assertThat(perId.values()).containsOnly(1L);
            Map<String, Integer> outcomes = new HashMap<>();
            results.forEach(r -> outcomes.merge(r.status() == ResultStatus.ERROR ? r.errorCode() : r.status().name(), 1, Integer::sum));
            System.out.println("outcomes of " + total + " invocations: " + outcomes);
            assertThat(outcomes.getOrDefault("OVERLOADED", 0)).as("shed: %s", outcomes).isPositive();
            assertThat(outcomes.getOrDefault("OK", 0)).as("served: %s", outcomes).isPositive();
            assertThat(outcomes.keySet()).as("outcomes").isSubsetOf("OK", "OVERLOADED", "EXPIRED");
            assertThat(kafka.readAll(topics.deadLetters())).isEmpty();
            // Memory stayed bounded: the router never held more than max-pending invocations,
            // and it did fill up (the bound, not a slow producer, is what held it there).
            assertThat(OperatorMetrics.maxGauge(METRICS, job.getJobID(), "router", "pendingHighWater")).isEqualTo(20);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
    }
}
