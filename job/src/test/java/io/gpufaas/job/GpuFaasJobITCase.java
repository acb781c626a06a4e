package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.job.local.SampleInvocations;
import io.gpufaas.job.local.SampleInvocations.Sample;
import io.gpufaas.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The real job on a MiniCluster against a real broker: nothing lost, nothing invented. */
class GpuFaasJobITCase {

    @RegisterExtension
    static final JobTestCluster CLUSTER = JobTestCluster.of(1, 2);

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void everyRecordEndsAsExactlyOneResultOrDeadLetterWithItsReason() throws Exception {
        EmbeddedKafka kafka = CLUSTER.kafka();
        JobTopics topics = JobTopics.create(kafka, "e2e", 3);

        List<Sample> valid = SampleInvocations.valid("it", 24);
        List<Sample> bad = SampleInvocations.bad("it", 80_000);
        for (Sample s : valid) {
            kafka.send(topics.invocations(), s.key().getBytes(StandardCharsets.UTF_8), s.value());
        }
        for (Sample s : bad) {
            kafka.send(topics.invocations(), s.key().getBytes(StandardCharsets.UTF_8), s.value());
        }
        // No key and no value at all: still a dead letter, not a crash.
        kafka.send(topics.invocations(), null, null);
        int deadLetterCount = bad.size() + 1;

        Configuration conf = topics.config(
                "--gpufaas.decode.max-record-size", "64kb");
        Configuration envConf = new Configuration();
        // Events must go through Flink's own serializers, never Kryo.
        envConf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(envConf);
        env.setParallelism(2);
        JobClient job = GpuFaasJob.start(env, conf);
        try {
            List<ConsumerRecord<byte[], byte[]>> results =
                    kafka.readUntil(topics.results(), r -> r.size() >= valid.size(), TIMEOUT);
            List<ConsumerRecord<byte[], byte[]>> letters =
                    kafka.readUntil(topics.deadLetters(), r -> r.size() >= deadLetterCount, TIMEOUT);

            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);

            List<InvocationResult> decoded = results.stream().map(r -> EventJson.decodeResult(r.value())).toList();
            assertThat(decoded).extracting(InvocationResult::id)
                    .containsExactlyInAnyOrderElementsOf(valid.stream().map(Sample::key).toList());
            assertThat(decoded).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(ResultStatus.OK);
                assertThat(r.function()).isEqualTo("echo");
                assertThat(r.placement().worker()).isBetween(0, 1);
                assertThat(r.timing().endToEndMs()).isGreaterThanOrEqualTo(r.timing().execMs());
                assertThat(r.metadata()).containsKey("tenant");
            });
            assertThat(decoded).filteredOn(r -> r.id().equals("it-ok-00"))
                    .singleElement()
                    .satisfies(r -> assertThat(r.outputJson()).contains("hello 0"));
            // Results are keyed by invocation id, like the invocations.
            assertThat(results).allSatisfy(r -> assertThat(new String(r.key(), StandardCharsets.UTF_8))
                    .isEqualTo(EventJson.decodeResult(r.value()).id()));

            List<DeadLetter> deadLetters = letters.stream().map(r -> EventJson.decodeDeadLetter(r.value())).toList();
            assertThat(deadLetters).hasSize(deadLetterCount);
            Map<String, DeadLetter> byKey = deadLetters.stream()
                    .filter(d -> d.record().key().length > 0)
                    .collect(Collectors.toMap(d -> new String(d.record().key(), StandardCharsets.UTF_8), d -> d));
            Map<String, Sample> sent = bad.stream().collect(Collectors.toMap(Sample::key, Function.identity()));
            assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(sent.keySet());
            sent.forEach((key, sample) -> {
                DeadLetter d = byKey.get(key);
                assertThat(d.reason()).as("reason for %s", sample.valueText()).isEqualTo(sample.expectedReason());
                // The raw record is preserved byte for byte, with where it came from.
                assertThat(d.record().value()).isEqualTo(sample.value());
                assertThat(d.record().position().topic()).isEqualTo(topics.invocations());
                assertThat(d.record().position().offset()).isGreaterThanOrEqualTo(0);
                assertThat(d.message()).isNotBlank();
            });
            assertThat(deadLetters).filteredOn(d -> d.record().key().length == 0)
                    .singleElement()
                    .satisfies(d -> assertThat(d.reason().name()).isEqualTo("MALFORMED"));

            // Nothing more arrives than went in.
            assertThat(kafka.readAll(topics.results())).hasSize(valid.size());
            assertThat(kafka.readAll(topics.deadLetters())).hasSize(deadLetterCount);
        } finally {
            job.cancel().get();
        }
    }
}
