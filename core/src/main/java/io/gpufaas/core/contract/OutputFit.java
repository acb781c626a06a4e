package io.gpufaas.core.contract;

import java.nio.charset.StandardCharsets;

/**
 * Makes every record the job writes fit where it goes, whatever came in. A topic takes records up
 * to a size (Kafka's {@code max.message.bytes}, and the producer's {@code max.request.size}); a
 * record over it fails the sink, and the job restarts into the same record forever. So:
 *
 * <ul>
 *   <li>a result too large for its topic becomes an {@code ERROR} result with code
 *       {@link ErrorCode#RESULT_TOO_LARGE} and both sizes in its message;
 *   <li>a dead letter too large for its topic keeps the reason, message and source position, and
 *       of the raw key and value their size, SHA-256 and as long a prefix as fits, marked
 *       {@code "truncated": true}: the whole record stays in the source topic.
 * </ul>
 *
 * {@code maxValueBytes} is the room left for the record's value once its key and headers are
 * counted (the Kafka adapter computes it); every limit the job starts with is at least
 * {@link #MIN_RECORD_BYTES}, which leaves room for either reduced form.
 */
public final class OutputFit {

    /**
     * Smallest per-record limit an output topic may have. A RESULT_TOO_LARGE result echoes up to
     * 32 metadata entries of 256 characters each (about 16 KiB, up to six times that escaped), and
     * a truncated dead letter's fixed part is under 1 KiB; 64 KiB leaves room for both with a
     * useful prefix.
     */
    public static final int MIN_RECORD_BYTES = 64 * 1024;

    /**
     * {@code maxRecordBytes}, if a topic taking records that large has room for a reduced result
     * or dead letter; else an {@link IllegalArgumentException} naming the topic.
     */
    public static int requireRoom(String topic, int maxRecordBytes) {
        if (maxRecordBytes < MIN_RECORD_BYTES) {
            throw new IllegalArgumentException("topic '" + topic + "' takes records of at most " + maxRecordBytes
                    + " bytes; the job needs at least " + MIN_RECORD_BYTES
                    + " to write a truncated dead letter or a RESULT_TOO_LARGE result");
        }
        return maxRecordBytes;
    }

    /**
     * A dead letter's Kafka key is the original key up to this size; a longer one (itself a sign
     * of a broken producer) is replaced by {@code sha256:<hex>} of it, so it cannot crowd out the
     * record it keys.
     */
    public static final int MAX_KEPT_KEY_BYTES = 1024;

    /** How much of a long original key a truncated dead letter keeps in its body. */
    static final int MAX_KEY_PREFIX_BYTES = 1024;

    /**
     * An encoded record.
     *
     * @param value the bytes to write
     * @param reduced true if the original did not fit and this is its reduced form
     * @param originalBytes the size the original would have had
     */
    public record Encoded(byte[] value, boolean reduced, long originalBytes) {}

    private OutputFit() {}

    /** The result as contract JSON, or its RESULT_TOO_LARGE replacement if it exceeds {@code maxValueBytes}. */
    public static Encoded result(InvocationResult r, int maxValueBytes) {
        byte[] full;
        try {
            full = EventJson.encodeResult(r);
        } catch (RuntimeException e) {
            // Output a function claimed was JSON but is not: that invocation's error, not the sink's.
            InvocationResult internal = r.asError(ErrorCode.INTERNAL,
                    "the function's output could not be encoded: " + ErrorMessages.brief(e));
            return new Encoded(fitted(internal, maxValueBytes), true, -1);
        }
        if (full.length <= maxValueBytes) {
            return new Encoded(full, false, full.length);
        }
        InvocationResult tooLarge = r.asError(ErrorCode.RESULT_TOO_LARGE, "the result is " + full.length
                + " bytes; the results topic takes at most " + maxValueBytes + " bytes per record value");
        return new Encoded(fitted(tooLarge, maxValueBytes), true, full.length);
    }

    /** An error result as it fits: with its metadata if there is room, else without. */
    private static byte[] fitted(InvocationResult r, int maxValueBytes) {
        byte[] bytes = EventJson.encodeResult(r);
        if (bytes.length <= maxValueBytes || r.metadata().isEmpty()) {
            return bytes;
        }
        return EventJson.encodeResult(new InvocationResult(r.id(), r.function(), r.status(), r.outputJson(),
                r.errorCode(), r.errorMessage(), r.timing(), r.placement(), null, r.completedAtMs()));
    }

    /** The dead letter as contract JSON, or its truncated form if it exceeds {@code maxValueBytes}. */
    public static Encoded deadLetter(DeadLetter d, int maxValueBytes) {
        byte[] full = EventJson.encodeDeadLetter(d);
        long original = full.length;
        if (full.length <= maxValueBytes) {
            return new Encoded(full, false, original);
        }
        DeadLetter brief = new DeadLetter(d.reason(), ErrorMessages.brief(d.message()), d.invocationId(), d.record());
        byte[] head = EventJson.encodeTruncatedDeadLetter(brief, 0, 0);
        // Base64 has nothing to escape: each 3 bytes of prefix add exactly 4 characters.
        int room = Math.max(0, maxValueBytes - head.length);
        int keyPrefix = Math.min(Math.min(d.record().key().length, MAX_KEY_PREFIX_BYTES), room / 3 / 4 * 3);
        int valuePrefix = Math.min(d.record().value().length, (room - base64Length(keyPrefix)) / 4 * 3);
        byte[] truncated = EventJson.encodeTruncatedDeadLetter(brief, keyPrefix, Math.max(0, valuePrefix));
        return new Encoded(truncated, true, original);
    }

    /**
     * The Kafka key a dead letter is written with: the original key (null stays null), or
     * {@code sha256:<hex>} of a key longer than {@link #MAX_KEPT_KEY_BYTES}.
     */
    public static byte[] deadLetterKey(RawRecord record) {
        if (record.nullKey()) {
            return null;
        }
        if (record.key().length <= MAX_KEPT_KEY_BYTES) {
            return record.key();
        }
        return ("sha256:" + EventJson.sha256Hex(record.key())).getBytes(StandardCharsets.UTF_8);
    }

    /** The v2 record batch header (Kafka's {@code DefaultRecordBatch.RECORD_BATCH_OVERHEAD}). */
    static final int BATCH_OVERHEAD = 61;
    /** One record's fixed fields at their widest, plus the varint lengths of key and value. */
    static final int RECORD_OVERHEAD = 21 + 5 + 5;
    /** A header's two varint lengths at their widest, and the header count's. */
    static final int HEADER_OVERHEAD = 5 + 5;

    /**
     * Bytes left for a record's value under {@code maxRecordBytes}, counted the way Kafka's
     * producer checks {@code max.request.size} and the broker {@code max.message.bytes}: a batch of
     * one uncompressed record with this key and these headers ({@code headerBytes}: their keys and
     * values). An upper bound of the overhead, so a value within it always goes through.
     */
    public static int valueBudget(int maxRecordBytes, int keyBytes, int headerBytes, int headerCount) {
        long overhead = BATCH_OVERHEAD + RECORD_OVERHEAD + keyBytes
                + (headerCount == 0 ? 0 : 5 + (long) headerCount * HEADER_OVERHEAD + headerBytes);
        return (int) Math.max(0, maxRecordBytes - overhead);
    }

    private static int base64Length(int bytes) {
        return (bytes + 2) / 3 * 4;
    }
}
