package io.gpufaas.job.feedback;

import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.OutputFit;
import io.gpufaas.core.contract.WorkerReport;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker reports on the status topic (the router's feedback channel), keyed by worker so one
 * worker's reports stay in order. A report whose list of resident models would not fit the topic
 * goes without it ({@link WorkerReport#residentComplete()} false): the slot is still freed, and the
 * next report that fits corrects the view.
 */
final class WorkerReportSerializer implements KafkaRecordSerializationSchema<WorkerReport> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WorkerReportSerializer.class);

    private final String topic;
    private final int maxRecordBytes;

    public WorkerReportSerializer(String topic, int maxRecordBytes) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(WorkerReport report, KafkaSinkContext context, Long timestamp) {
        byte[] key = Integer.toString(report.worker()).getBytes(StandardCharsets.UTF_8);
        byte[] value = EventJson.encodeReport(report);
        if (value.length > OutputFit.valueBudget(maxRecordBytes, key.length, 0, 0)) {
            LOG.warn("worker {} holds {} models, too many to list in a report on {}; sent without the list",
                    report.worker(), report.resident().size(), topic);
            value = EventJson.encodeReport(report.withoutResidentList());
        }
        return new ProducerRecord<>(topic, null, timestamp, key, value);
    }
}
