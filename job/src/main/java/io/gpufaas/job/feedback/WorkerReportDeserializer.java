package io.gpufaas.job.feedback;

import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.WorkerReport;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads worker reports; one that cannot be read is logged and skipped: reports are advisory (the
 * router times out silent workers), and the status topic is internal, not user input.
 */
final class WorkerReportDeserializer implements KafkaRecordDeserializationSchema<WorkerReport> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WorkerReportDeserializer.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<WorkerReport> out) {
        try {
            out.collect(EventJson.decodeReport(record.value()));
        } catch (RuntimeException e) {
            LOG.warn("skipping unreadable worker report at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<WorkerReport> getProducedType() {
        return TypeInformation.of(WorkerReport.class);
    }
}
