package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.event.DeadLetter;
import io.gpufaas.core.event.EventJson;
import io.gpufaas.core.event.Invocation;
import io.gpufaas.core.event.InvocationResult;
import io.gpufaas.core.event.Payload;
import io.gpufaas.core.event.ReasonCode;
import io.gpufaas.core.event.ResultStatus;
import io.gpufaas.testkit.EmbeddedKafka;
import io.gpufaas.testkit.KafkaBrokerExtension;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The real job on a MiniCluster against a real broker: nothing lost, nothing invented. */
class GpuFaasJobITCase {

    @RegisterExtension
    @Order(1)
    static final KafkaBrokerExtension BROKER = new KafkaBrokerExtension();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void everyRecordEndsAsExactlyOneResultOrDeadLetterWithItsReason() throws Exception {
        EmbeddedKafka kafka = BROKER.kafka();
        kafka.createTopics(3, "inv", "res", "dlq");

        int valid = 24;
        List<String> validIds = new ArrayList<>();
        for (int i = 0; i < valid; i++) {
            String id = "ok-" + i;
            validIds.add(id);
            Payload input = switch (i % 3) {
                case 0 -> Payload.text("hello " + i);
                case 1 -> Payload.tensor(new long[] {1, 2}, floats(1.5f, -2f));
                default -> Payload.image(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2});
            };
            Invocation inv = new Invocation(id, "echo", input, Invocation.NO_DEADLINE,
                    Map.of("tenant", "t" + (i % 2)), null);
            kafka.send("inv", id.getBytes(StandardCharsets.UTF_8), EventJson.encodeInvocation(inv));
        }

        Map<String, ReasonCode> bad = new LinkedHashMap<>();
        bad.put("{not json", ReasonCode.MALFORMED);
        bad.put("[1,2,3]", ReasonCode.MALFORMED);
        bad.put("{\"v\":1,\"id\":42,\"function\":\"echo\",\"input\":{\"text\":\"x\"}}", ReasonCode.MALFORMED);
        bad.put("{\"v\":2,\"id\":\"a\",\"function\":\"echo\",\"input\":{\"text\":\"x\"}}", ReasonCode.UNSUPPORTED_VERSION);
        bad.put("{\"v\":1,\"function\":\"echo\",\"input\":{\"text\":\"x\"}}", ReasonCode.INVALID_FIELD);
        bad.put("{\"v\":1,\"id\":\"b\",\"function\":\"resnet-404\",\"input\":{\"text\":\"x\"}}", ReasonCode.UNKNOWN_FUNCTION);
        bad.put("{\"v\":1,\"id\":\"c\",\"function\":\"../../etc/passwd\",\"input\":{\"text\":\"x\"}}", ReasonCode.INVALID_FIELD);
        bad.put("{\"v\":1,\"id\":\"d\",\"function\":\"echo\",\"input\":{\"image\":\"%%%not-base64\"}}", ReasonCode.INVALID_INPUT);
        bad.put("{\"v\":1,\"id\":\"e\",\"function\":\"echo\",\"input\":{\"tensor\":{\"shape\":[1],\"data\":\""
                + java.util.Base64.getEncoder().encodeToString(floats(Float.NaN)) + "\"}}}", ReasonCode.INVALID_INPUT);
        bad.put("{\"v\":1,\"id\":\"f\",\"function\":\"echo\",\"input\":{\"tensor\":{\"shape\":[100000,100000,100000],\"data\":\"\"}}}",
                ReasonCode.TOO_LARGE);
        bad.put("{\"v\":1,\"id\":\"g\",\"function\":\"echo\",\"input\":{\"text\":\"" + "x".repeat(80_000) + "\"}}",
                ReasonCode.TOO_LARGE);
        List<String> badKeys = new ArrayList<>();
        int n = 0;
        for (String value : bad.keySet()) {
            String key = "bad-" + n++;
            badKeys.add(key);
            kafka.send("inv", key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        }
        // A record with no key and an empty value: still a dead letter, not a crash.
        kafka.send("inv", null, new byte[0]);
        int badCount = bad.size() + 1;

        Configuration conf = JobConfig.fromArgs(new Configuration(),
                "--gpufaas.kafka.bootstrap-servers", kafka.bootstrapServers(),
                "--gpufaas.kafka.topic.invocations", "inv",
                "--gpufaas.kafka.topic.results", "res",
                "--gpufaas.kafka.topic.dead-letters", "dlq",
                "--gpufaas.decode.max-record-size", "64kb");
        Configuration envConf = new Configuration();
        // Records must go through Flink's own serializers, never Kryo.
        envConf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(envConf);
        env.setParallelism(2);
        JobClient job = GpuFaasJob.start(env, conf);
        try {
            List<ConsumerRecord<byte[], byte[]>> results = kafka.readUntil("res", r -> r.size() >= valid, TIMEOUT);
            List<ConsumerRecord<byte[], byte[]>> letters = kafka.readUntil("dlq", r -> r.size() >= badCount, TIMEOUT);

            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);

            List<InvocationResult> decoded = results.stream().map(r -> EventJson.decodeResult(r.value())).toList();
            assertThat(decoded).extracting(InvocationResult::id).containsExactlyInAnyOrderElementsOf(validIds);
            assertThat(decoded).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(ResultStatus.OK);
                assertThat(r.function()).isEqualTo("echo");
                assertThat(r.placement().worker()).isBetween(0, 1);
                assertThat(r.timing().endToEndMs()).isGreaterThanOrEqualTo(r.timing().execMs());
                assertThat(r.metadata()).containsKey("tenant");
            });
            assertThat(decoded).filteredOn(r -> r.id().equals("ok-0"))
                    .singleElement()
                    .satisfies(r -> assertThat(r.outputJson()).contains("hello 0"));
            // Results are keyed by invocation id, like the invocations.
            assertThat(results).allSatisfy(r -> assertThat(new String(r.key(), StandardCharsets.UTF_8))
                    .isEqualTo(EventJson.decodeResult(r.value()).id()));

            List<DeadLetter> deadLetters = letters.stream().map(r -> EventJson.decodeDeadLetter(r.value())).toList();
            assertThat(deadLetters).hasSize(badCount);
            Map<String, DeadLetter> byKey = deadLetters.stream()
                    .filter(d -> d.record().key().length > 0)
                    .collect(Collectors.toMap(d -> new String(d.record().key(), StandardCharsets.UTF_8), d -> d));
            assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(badKeys);
            List<String> values = new ArrayList<>(bad.keySet());
            List<ReasonCode> reasons = new ArrayList<>(bad.values());
            for (int i = 0; i < badKeys.size(); i++) {
                DeadLetter d = byKey.get(badKeys.get(i));
                assertThat(d.reason()).as("reason for %s", values.get(i)).isEqualTo(reasons.get(i));
                // The raw record is preserved byte for byte, with where it came from.
                assertThat(new String(d.record().value(), StandardCharsets.UTF_8)).isEqualTo(values.get(i));
                assertThat(d.record().position().topic()).isEqualTo("inv");
                assertThat(d.record().position().offset()).isGreaterThanOrEqualTo(0);
                assertThat(d.message()).isNotBlank();
            }
            assertThat(deadLetters).filteredOn(d -> d.record().key().length == 0)
                    .singleElement()
                    .satisfies(d -> assertThat(d.reason()).isEqualTo(ReasonCode.MALFORMED));

            // Nothing more arrives than went in.
            assertThat(kafka.readAll("res")).hasSize(valid);
            assertThat(kafka.readAll("dlq")).hasSize(badCount);
            assertThat(Set.copyOf(validIds)).hasSize(valid);
        } finally {
            job.cancel().get();
        }
    }

    private static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }
}
