package io.gpufaas.job;

import io.gpufaas.core.contract.ErrorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.core.contract.SourcePosition;
import io.gpufaas.core.contract.OutputFit;
import io.gpufaas.operators.kafka.DeadLetterSerializer;
import io.gpufaas.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Poison records at every limit, in the middle of a stream of valid invocations, against a real
 * broker at Kafka's default limits: the broker's, the job's record limit, the results topic's and
 * a dead-letter topic's own. Every valid invocation is answered exactly once, every bad record
 * that got in gets exactly one dead letter or result, and the job never restarts (it runs with
 * restarts disabled, so any failure would end it).
 */
class PoisonRecordITCase {

    @RegisterExtension
    static final JobTestCluster CLUSTER = JobTestCluster.of(1, 2);

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Kafka's defaults: the producer's max.request.size, below the broker's message.max.bytes. */
    private static final int PRODUCER_MAX = 1024 * 1024;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] echo(String id, String text) {
        return EventJson.encodeInvocation(new Invocation(id, "echo", Payload.text(text), Invocation.NO_DEADLINE,
                Map.of("tenant", "t"), SourcePosition.unknown()));
    }

    /** What Kafka's producer counts a record as against max.request.size. */
    private static int producerSize(byte[] key, byte[] value) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key, value, new org.apache.kafka.common.header.Header[0]);
    }

    /** A value of {@code prefix} plus filler making the record exactly {@code size} bytes to the producer. */
    private static byte[] recordOfSize(byte[] key, String prefix, String suffix, int size) {
        int filler = size - producerSize(key, bytes(prefix + suffix));
        byte[] value = bytes(prefix + "a".repeat(filler) + suffix);
        // The value's length varint may have grown by a byte or two.
        while (producerSize(key, value) > size) {
            filler--;
            value = bytes(prefix + "a".repeat(filler) + suffix);
        }
        assertThat(producerSize(key, value)).isEqualTo(size);
        return value;
    }

    private static JobClient start(JobTopics topics, String... args) throws Exception {
        Configuration envConf = new Configuration();
        // Any failure ends the job: "still RUNNING" then means "never restarted".
        envConf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(envConf);
        env.setParallelism(2);
        return GpuFaasJob.start(env, topics.config(args));
    }

    @Test
    void poisonAtTheBrokersAndTheResultTopicsLimitsNeverStopsTheJob() throws Exception {
        EmbeddedKafka kafka = CLUSTER.kafka();
        JobTopics topics = JobTopics.create(kafka, "poison", 2);
        JobClient job = start(topics);
        try {
            List<String> expectedResults = new ArrayList<>();
            Map<String, String> expectedDeadLetters = new HashMap<>(); // key -> reason
            int valid = 0;
            byte[] hugeKey = bytes("k".repeat(800_000));
            try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
                // Valid invocations before, between and after the poison.
                valid = sendValid(producer, topics, valid, 5, expectedResults);

                // The record: ~900 KB of not-JSON. Its dead letter would be ~1.2 MB.
                send(producer, topics, bytes("p-900k"), bytes("{" + "x".repeat(900_000)));
                expectedDeadLetters.put("p-900k", "MALFORMED");
                // Exactly at the producer's limit (under the broker's): still a dead letter.
                byte[] atLimitKey = bytes("p-at-limit");
                send(producer, topics, atLimitKey, recordOfSize(atLimitKey, "not json ", "", PRODUCER_MAX));
                expectedDeadLetters.put("p-at-limit", "MALFORMED");
                // One byte over: the producer refuses it, so it never reaches the job.
                byte[] overKey = bytes("p-over-limit");
                byte[] over = recordOfSize(overKey, "not json ", "", PRODUCER_MAX + 1);
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topics.invocations(), overKey, over)).get())
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RecordTooLargeException.class);
                valid = sendValid(producer, topics, valid, 5, expectedResults);

                // A valid invocation exactly at the producer's limit: its result cannot fit the topic.
                byte[] validAtLimit = recordOfSize(bytes("p-valid-at-limit"), "{\"v\":1,\"id\":\"p-valid-at-limit\","
                        + "\"function\":\"echo\",\"input\":{\"text\":\"", "\"}}", PRODUCER_MAX);
                send(producer, topics, bytes("p-valid-at-limit"), validAtLimit);
                expectedResults.add("p-valid-at-limit");
                // The record: a 1,048,400-byte echo whose result is just over 1 MB.
                int text = 1_048_400 - echo("p-result-over", "").length;
                send(producer, topics, bytes("p-result-over"), echo("p-result-over", "b".repeat(text)));
                expectedResults.add("p-result-over");
                // A result just under the results topic's limit is written whole.
                int budget = OutputFit.valueBudget(PRODUCER_MAX, bytes("p-result-under").length, 0, 0);
                int resultFixed = 320; // a result's JSON beside the echoed text, with room for timing digits
                send(producer, topics, bytes("p-result-under"), echo("p-result-under", "c".repeat(budget - resultFixed)));
                expectedResults.add("p-result-under");
                valid = sendValid(producer, topics, valid, 5, expectedResults);

                // NULL and empty values, and a key far too long to be a key.
                send(producer, topics, bytes("p-null"), null);
                expectedDeadLetters.put("p-null", "MALFORMED");
                send(producer, topics, bytes("p-empty"), new byte[0]);
                expectedDeadLetters.put("p-empty", "MALFORMED");
                send(producer, topics, hugeKey, bytes("{}"));
                expectedDeadLetters.put("sha256:" + EventJson.sha256Hex(hugeKey), "INVALID_FIELD");
                valid = sendValid(producer, topics, valid, 5, expectedResults);
            }
            // A producer allowed larger requests meets the broker's own limit instead.
            Properties bigger = new Properties();
            bigger.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            bigger.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 * PRODUCER_MAX));
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(bigger, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topics.invocations(), bytes("p-broker"),
                        new byte[1_100_000])).get()).hasCauseInstanceOf(RecordTooLargeException.class);
            }

            int resultCount = expectedResults.size();
            List<ConsumerRecord<byte[], byte[]>> results =
                    kafka.readUntil(topics.results(), r -> r.size() >= resultCount, TIMEOUT);
            List<ConsumerRecord<byte[], byte[]>> letters =
                    kafka.readUntil(topics.deadLetters(), r -> r.size() >= expectedDeadLetters.size(), TIMEOUT);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);

            Map<String, InvocationResult> byId = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : results) {
                assertThat(r.serializedValueSize()).isLessThanOrEqualTo(PRODUCER_MAX);
                InvocationResult result = EventJson.decodeResult(r.value());
                assertThat(byId.put(result.id(), result)).as("second result for %s", result.id()).isNull();
            }
            assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(expectedResults);
            for (String id : expectedResults) {
                InvocationResult r = byId.get(id);
                if (id.equals("p-valid-at-limit") || id.equals("p-result-over")) {
                    assertThat(r.status()).as(id).isEqualTo(ResultStatus.ERROR);
                    assertThat(r.errorCode()).as(id).isEqualTo(ErrorCode.RESULT_TOO_LARGE.name());
                    assertThat(r.errorMessage()).contains("bytes");
                } else {
                    assertThat(r.status()).as(id).isEqualTo(ResultStatus.OK);
                }
            }
            assertThat(byId.get("p-result-over").metadata()).containsEntry("tenant", "t");
            assertThat(byId.get("p-result-under").outputJson()).hasSizeGreaterThan(PRODUCER_MAX - 1_000);

            Map<String, JsonNode> lettersByKey = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : letters) {
                assertThat(r.serializedValueSize()).isLessThanOrEqualTo(PRODUCER_MAX);
                String key = new String(r.key(), StandardCharsets.UTF_8);
                assertThat(lettersByKey.put(key, JSON.readTree(r.value()))).as("second dead letter for %s", key).isNull();
            }
            assertThat(lettersByKey.keySet()).containsExactlyInAnyOrderElementsOf(expectedDeadLetters.keySet());
            expectedDeadLetters.forEach((key, reason) ->
                    assertThat(lettersByKey.get(key).path("reason").asText()).as(key).isEqualTo(reason));
            JsonNode big = lettersByKey.get("p-900k");
            assertThat(big.path("truncated").asBoolean()).isTrue();
            assertThat(big.path("valueSize").asLong()).isEqualTo(900_001);
            assertThat(big.path("valueSha256").asText()).isEqualTo(EventJson.sha256Hex(bytes("{" + "x".repeat(900_000))));
            assertThat(big.path("source").path("topic").asText()).isEqualTo(topics.invocations());
            assertThat(lettersByKey.get("p-at-limit").path("truncated").asBoolean()).isTrue();
            assertThat(lettersByKey.get("p-null").path("value").isNull()).isTrue();
            assertThat(lettersByKey.get("p-empty").path("value").asText()).isEmpty();
            assertThat(lettersByKey.get("p-empty").path("value").isNull()).isFalse();
            assertThat(lettersByKey.get("sha256:" + EventJson.sha256Hex(hugeKey)).path("keySize").asLong()).isEqualTo(800_000);

            // Nothing more arrives than went in.
            assertThat(kafka.readAll(topics.results())).hasSize(resultCount);
            assertThat(kafka.readAll(topics.deadLetters())).hasSize(expectedDeadLetters.size());
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void poisonAtTheJobsRecordLimitAndASmallDeadLetterTopicsLimit() throws Exception {
        EmbeddedKafka kafka = CLUSTER.kafka();
        JobTopics topics = JobTopics.create(kafka, "limits", 2);
        // A dead-letter topic of its own, smaller than the broker's limit.
        String smallDeadLetters = "limits-dlq-100k";
        kafka.createTopic(smallDeadLetters, 2, Map.of("max.message.bytes", "100000"));
        int jobLimit = 300_000;
        JobClient job = start(topics, "--gpufaas.decode.max-record-size", jobLimit + "b",
                "--gpufaas.kafka.topic.dead-letters", smallDeadLetters);
        try {
            List<String> expectedResults = new ArrayList<>();
            int valid = 0;
            try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
                valid = sendValid(producer, topics, valid, 3, expectedResults);
                String head = "{\"v\":1,\"id\":\"ID\",\"function\":\"echo\",\"input\":{\"text\":\"";
                // Just under and exactly at the job's record limit: accepted and answered.
                for (String id : List.of("l-under", "l-at")) {
                    String prefix = head.replace("ID", id);
                    int length = id.equals("l-at") ? jobLimit : jobLimit - 1;
                    byte[] value = bytes(prefix + "d".repeat(length - prefix.length() - 3) + "\"}}");
                    assertThat(value).hasSize(length);
                    send(producer, topics, bytes(id), value);
                    expectedResults.add(id);
                }
                // One byte over: TOO_LARGE, and its dead letter (~400 KB) is truncated to the topic's 100 KB.
                String prefix = head.replace("ID", "l-over");
                send(producer, topics, bytes("l-over"), bytes(prefix + "d".repeat(jobLimit + 1 - prefix.length() - 3) + "\"}}"));
                valid = sendValid(producer, topics, valid, 3, expectedResults);
                // Dead letters just under and just over the dead-letter topic's limit.
                send(producer, topics, bytes("l-dlq-under"), bytes("x".repeat(72_000)));
                send(producer, topics, bytes("l-dlq-over"), bytes("x".repeat(76_000)));
                valid = sendValid(producer, topics, valid, 3, expectedResults);
            }
            List<ConsumerRecord<byte[], byte[]>> results =
                    kafka.readUntil(topics.results(), r -> r.size() >= expectedResults.size(), TIMEOUT);
            List<ConsumerRecord<byte[], byte[]>> letters = kafka.readUntil(smallDeadLetters, r -> r.size() >= 3, TIMEOUT);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);

            assertThat(results).extracting(r -> EventJson.decodeResult(r.value()))
                    .allSatisfy(r -> assertThat(r.status()).isEqualTo(ResultStatus.OK))
                    .extracting(InvocationResult::id).containsExactlyInAnyOrderElementsOf(expectedResults);
            Map<String, JsonNode> byKey = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : letters) {
                assertThat(r.serializedValueSize()).isLessThanOrEqualTo(100_000);
                byKey.put(new String(r.key(), StandardCharsets.UTF_8), JSON.readTree(r.value()));
            }
            assertThat(byKey).containsOnlyKeys("l-over", "l-dlq-under", "l-dlq-over");
            assertThat(byKey.get("l-over").path("reason").asText()).isEqualTo("TOO_LARGE");
            assertThat(byKey.get("l-over").path("truncated").asBoolean()).isTrue();
            assertThat(byKey.get("l-dlq-under").path("truncated").asBoolean()).isFalse();
            assertThat(byKey.get("l-dlq-over").path("truncated").asBoolean()).isTrue();
            assertThat(byKey.get("l-dlq-over").path("valueSize").asLong()).isEqualTo(76_000);
            assertThat(kafka.readAll(topics.results())).hasSize(expectedResults.size());
            assertThat(kafka.readAll(smallDeadLetters)).hasSize(3);
        } finally {
            job.cancel().get();
        }
    }

    private static int sendValid(KafkaProducer<byte[], byte[]> producer, JobTopics topics, int from, int count,
            List<String> expected) throws Exception {
        for (int i = from; i < from + count; i++) {
            String id = "v-" + i;
            send(producer, topics, bytes(id), echo(id, "hello " + i));
            expected.add(id);
        }
        return from + count;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, JobTopics topics, byte[] key, byte[] value)
            throws Exception {
        producer.send(new ProducerRecord<>(topics.invocations(), key, value)).get();
    }
}
