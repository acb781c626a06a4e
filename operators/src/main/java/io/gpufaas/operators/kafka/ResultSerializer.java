package io.gpufaas.operators.kafka;

import io.gpufaas.core.event.EventJson;
import io.gpufaas.core.event.InvocationResult;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a result as contract JSON, keyed by invocation id like the invocation was. */
public final class ResultSerializer implements KafkaRecordSerializationSchema<InvocationResult> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public ResultSerializer(String topic) {
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            InvocationResult result, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp,
                result.id().getBytes(StandardCharsets.UTF_8), EventJson.encodeResult(result));
    }
}
