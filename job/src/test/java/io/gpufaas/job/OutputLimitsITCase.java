package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpufaas.core.contract.OutputFit;
import io.gpufaas.operators.kafka.DeadLetterSerializer;
import io.gpufaas.testkit.EmbeddedKafka;
import io.gpufaas.testkit.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The limits the job reads from the broker before it starts, and the refusals. */
class OutputLimitsITCase {

    @RegisterExtension
    static final KafkaBrokerExtension BROKER = new KafkaBrokerExtension();

    @Test
    void eachOutputTopicGetsTheSmallerOfItsOwnLimitAndTheProducers() {
        EmbeddedKafka kafka = BROKER.kafka();
        JobTopics topics = JobTopics.create(kafka, "limits-ok", 1);
        kafka.createTopic("limits-ok-res-small", 1, Map.of("max.message.bytes", "200000"));

        OutputLimits limits = OutputLimits.of(topics.config("--gpufaas.kafka.topic.results", "limits-ok-res-small"));

        assertThat(limits.results()).isEqualTo(200_000);
        // The broker's default message.max.bytes (1048588) is above the producer's default request size.
        assertThat(limits.deadLetters()).isEqualTo(OutputLimits.DEFAULT_MAX_REQUEST_SIZE);
        assertThat(limits.status()).isEqualTo(OutputLimits.DEFAULT_MAX_REQUEST_SIZE);

        Configuration smallerRequests = topics.config("--gpufaas.kafka.properties.max.request.size", "100000");
        assertThat(OutputLimits.of(smallerRequests).deadLetters()).isEqualTo(100_000);
    }

    @Test
    void theJobRefusesToStartListingEveryProblem() {
        EmbeddedKafka kafka = BROKER.kafka();
        JobTopics topics = JobTopics.create(kafka, "limits-bad", 1);
        kafka.createTopic("limits-bad-res-tiny", 1, Map.of("max.message.bytes", "10000"));

        assertThatThrownBy(() -> OutputLimits.of(topics.config(
                        "--gpufaas.kafka.topic.results", "limits-bad-res-tiny",
                        "--gpufaas.kafka.topic.dead-letters", "no-such-topic")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("topic 'no-such-topic' does not exist");
        assertThatThrownBy(() -> OutputLimits.of(topics.config("--gpufaas.kafka.topic.results", "limits-bad-res-tiny")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("topic 'limits-bad-res-tiny' takes records of at most 10000 bytes")
                .hasMessageContaining("65536");
        // Without the check, the producer's limit is assumed.
        assertThat(OutputLimits.of(topics.config("--gpufaas.kafka.topic.results", "limits-bad-res-tiny",
                "--gpufaas.kafka.check-topics", "false")).results()).isEqualTo(OutputLimits.DEFAULT_MAX_REQUEST_SIZE);
    }

    @Test
    void aValueExactlyAtTheComputedBudgetIsAcceptedByARealBroker() throws Exception {
        EmbeddedKafka kafka = BROKER.kafka();
        int limit = 100_000;
        kafka.createTopic("limits-budget", 1, Map.of("max.message.bytes", Integer.toString(limit)));
        byte[] key = "inv-at-budget".getBytes(StandardCharsets.UTF_8);
        RecordHeaders headers = new RecordHeaders();
        headers.add("gpufaas.reason", "MALFORMED".getBytes(StandardCharsets.UTF_8));
        byte[] value = new byte[DeadLetterSerializer.valueBudget(limit, key, headers)];
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            assertThat(producer.send(new ProducerRecord<>("limits-budget", null, key, value, headers)).get().offset())
                    .isZero();
        }
        // The bound is tight: the broker's own limit is at most a few dozen bytes further.
        assertThat(value.length).isGreaterThan(limit - 200);
    }
}
