package io.gpufaas.operators.kafka;

import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.WorkerReport;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Worker reports on the status topic: the router's feedback channel. */
public final class WorkerReportSerde {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerReportSerde.class);

    private WorkerReportSerde() {}

    /**
     * Keyed by worker, so one worker's reports stay in order. A report whose list of resident
     * models would not fit the topic goes without it ({@link WorkerReport#residentComplete()}
     * false): the slot is still freed, and the next report that fits corrects the view.
     */
    public static final class Serializer implements KafkaRecordSerializationSchema<WorkerReport> {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private final int maxRecordBytes;

        public Serializer(String topic, int maxRecordBytes) {
            this.topic = Objects.requireNonNull(topic, "topic");
            this.maxRecordBytes = maxRecordBytes;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(WorkerReport report, KafkaSinkContext context, Long timestamp) {
            byte[] key = Integer.toString(report.worker()).getBytes(StandardCharsets.UTF_8);
            byte[] value = EventJson.encodeReport(report);
            if (value.length > KafkaRecordSize.valueBudget(maxRecordBytes, key, null)) {
                LOG.warn("worker {} holds {} models, too many to list in a report on {}; sent without the list",
                        report.worker(), report.resident().size(), topic);
                value = EventJson.encodeReport(report.withoutResidentList());
            }
            return new ProducerRecord<>(topic, null, timestamp, key, value);
        }
    }

    /**
     * Reads reports; one that cannot be read is logged and skipped: reports are advisory (the
     * router times out silent workers), and the status topic is internal, not user input.
     */
    public static final class Deserializer implements KafkaRecordDeserializationSchema<WorkerReport> {
        private static final long serialVersionUID = 1L;

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
}
