package io.gpufaas.operators.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * What a Kafka record costs beyond its value, counted the way the producer checks
 * {@code max.request.size} and the broker {@code max.message.bytes}: a batch of one record
 * (uncompressed), its key and headers. An upper bound, so a value within {@link #valueBudget}
 * always goes through.
 */
public final class KafkaRecordSize {

    /** The v2 record batch header (Kafka's {@code DefaultRecordBatch.RECORD_BATCH_OVERHEAD}). */
    static final int BATCH_OVERHEAD = 61;
    /** One record's fixed fields at their widest, plus the varint lengths of key and value. */
    static final int RECORD_OVERHEAD = 21 + 5 + 5;
    /** A header's two varint lengths at their widest. */
    static final int HEADER_OVERHEAD = 5 + 5;

    private KafkaRecordSize() {}

    /** Bytes left for the value of a record with this key and these headers under {@code maxRecordBytes}. */
    public static int valueBudget(int maxRecordBytes, byte[] key, Headers headers) {
        long overhead = BATCH_OVERHEAD + RECORD_OVERHEAD + (key == null ? 0 : key.length);
        if (headers != null) {
            overhead += 5; // the header count
            for (Header h : headers) {
                overhead += HEADER_OVERHEAD + h.key().getBytes(StandardCharsets.UTF_8).length
                        + (h.value() == null ? 0 : h.value().length);
            }
        }
        return (int) Math.max(0, maxRecordBytes - overhead);
    }
}
