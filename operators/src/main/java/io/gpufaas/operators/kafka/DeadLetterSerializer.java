package io.gpufaas.operators.kafka;

import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.OutputFit;
import io.gpufaas.operators.metrics.GpuFaasMetric;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a dead letter as contract JSON, keeping the original key, and the reason also as a
 * header so that tools can filter without parsing the value. One too large for the topic is
 * written truncated ({@link OutputFit#deadLetter}): the reason, the source position, and the raw
 * bytes' size, SHA-256 and prefix. Metric: {@code truncatedDeadLetters}.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterSerializer.class);

    public static final String REASON_HEADER = "gpufaas.reason";

    private final String topic;
    private final int maxRecordBytes;
    private transient Counter truncated;

    /** @param maxRecordBytes the most bytes one record may take on {@code topic} */
    public DeadLetterSerializer(String topic, int maxRecordBytes) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.maxRecordBytes = OutputFit.requireRoom(topic, maxRecordBytes);
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        truncated = GpuFaasMetric.TRUNCATED_DEAD_LETTERS.counter(context.getMetricGroup());
    }

    /** Room for the value of a record with this key and these headers. */
    public static int valueBudget(int maxRecordBytes, byte[] key, Headers headers) {
        int headerBytes = 0;
        int count = 0;
        for (Header h : headers) {
            headerBytes += h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length);
            count++;
        }
        return OutputFit.valueBudget(maxRecordBytes, key == null ? 0 : key.length, headerBytes, count);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON_HEADER, letter.reason().name().getBytes(StandardCharsets.UTF_8));
        byte[] key = OutputFit.deadLetterKey(letter.record());
        OutputFit.Encoded encoded = OutputFit.deadLetter(letter, valueBudget(maxRecordBytes, key, headers));
        if (encoded.reduced()) {
            if (truncated != null) {
                truncated.inc();
            }
            LOG.warn("dead letter for {} ({}, {} bytes) does not fit topic {} ({} bytes a record): written truncated",
                    letter.record().position(), letter.reason(), encoded.originalBytes(), topic, maxRecordBytes);
        }
        return new ProducerRecord<>(topic, null, timestamp, key, encoded.value(), headers);
    }
}
