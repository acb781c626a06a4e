package io.gpufaas.operators.kafka;

import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.OutputFit;
import io.gpufaas.operators.metrics.GpuFaasMetric;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a result as contract JSON, keyed by invocation id like the invocation was. A result too
 * large for the topic is written as its RESULT_TOO_LARGE error instead ({@link OutputFit}), so one
 * record's size never fails the sink. Metric: {@code oversizeResults}.
 */
public final class ResultSerializer implements KafkaRecordSerializationSchema<InvocationResult> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ResultSerializer.class);

    private final String topic;
    private final int maxRecordBytes;
    private transient Counter oversize;

    /** @param maxRecordBytes the most bytes one record may take on {@code topic} (the smaller of the
     *     topic's {@code max.message.bytes} and the producer's {@code max.request.size}) */
    public ResultSerializer(String topic, int maxRecordBytes) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.maxRecordBytes = OutputFit.requireRoom(topic, maxRecordBytes);
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        oversize = GpuFaasMetric.OVERSIZE_RESULTS.counter(context.getMetricGroup());
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(InvocationResult result, KafkaSinkContext context, Long timestamp) {
        byte[] key = result.id().getBytes(StandardCharsets.UTF_8);
        OutputFit.Encoded encoded = OutputFit.result(result, OutputFit.valueBudget(maxRecordBytes, key.length, 0, 0));
        if (encoded.reduced()) {
            if (oversize != null) {
                oversize.inc();
            }
            LOG.warn("result of invocation {} ({} bytes) does not fit topic {} ({} bytes a record): written as an error",
                    result.id(), encoded.originalBytes(), topic, maxRecordBytes);
        }
        return new ProducerRecord<>(topic, null, timestamp, key, encoded.value());
    }
}
