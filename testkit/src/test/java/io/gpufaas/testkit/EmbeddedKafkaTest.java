package io.gpufaas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmbeddedKafkaTest {

    @RegisterExtension
    static final KafkaBrokerExtension BROKER = new KafkaBrokerExtension();

    @Test
    void recordsRoundTripThroughTheBroker() {
        EmbeddedKafka kafka = BROKER.kafka();
        kafka.createTopics(2, "roundtrip");
        kafka.send("roundtrip", "k".getBytes(StandardCharsets.UTF_8), "hello".getBytes(StandardCharsets.UTF_8));

        List<ConsumerRecord<byte[], byte[]>> records =
                kafka.readUntil("roundtrip", r -> !r.isEmpty(), Duration.ofSeconds(30));

        assertThat(records).hasSize(1);
        assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(kafka.readAll("roundtrip")).hasSize(1);
    }
}
