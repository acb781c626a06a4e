package io.gpufaas.operators.kafka;

import io.gpufaas.core.contract.RawRecord;
import io.gpufaas.core.contract.SourcePosition;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Passes every Kafka record on as it is, with its position. It cannot fail: decoding happens
 * downstream, where a bad record becomes a dead letter instead of a failed job.
 */
public final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        out.collect(new RawRecord(
                new SourcePosition(record.topic(), record.partition(), record.offset(), record.timestamp()),
                record.key(),
                record.value()));
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
