package io.gpufaas.operators.kafka;

import io.gpufaas.core.event.DeadLetter;
import io.gpufaas.core.event.EventJson;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a dead letter as contract JSON, keeping the original key, and the reason also as a
 * header so that tools can filter without parsing the value.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    public static final String REASON_HEADER = "gpufaas.reason";

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON_HEADER, letter.reason().name().getBytes(StandardCharsets.UTF_8));
        byte[] key = letter.record().key().length == 0 ? null : letter.record().key();
        return new ProducerRecord<>(topic, null, timestamp, key, EventJson.encodeDeadLetter(letter), headers);
    }
}
