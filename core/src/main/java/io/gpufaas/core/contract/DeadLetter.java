package io.gpufaas.core.contract;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A record that could not become an invocation, kept byte for byte with the reason.
 *
 * @param invocationId the id if the record got far enough to have one, else empty
 */
public record DeadLetter(
        ErrorCode reason, String message, String invocationId, RawRecord record) {

    public DeadLetter {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(record, "record");
        message = message == null ? "" : message;
        invocationId = invocationId == null ? "" : invocationId;
    }

    /**
     * A decoded invocation refused after decoding (e.g. a duplicate id), kept as a record a producer
     * could send again: keyed by its id, its value the invocation encoded, at the position it was read.
     */
    public static DeadLetter of(Invocation inv, ErrorCode reason, String message) {
        RawRecord record = new RawRecord(inv.source(), inv.id().getBytes(StandardCharsets.UTF_8),
                EventJson.encodeInvocation(inv));
        return new DeadLetter(reason, message, inv.id(), record);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter d
                && reason == d.reason
                && message.equals(d.message)
                && invocationId.equals(d.invocationId)
                && record.equals(d.record);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, message, invocationId, record);
    }

    @Override
    public String toString() {
        return "DeadLetter[" + reason + ": " + message + " @ " + record.position()
                + ", value=" + Arrays.toString(Arrays.copyOf(record.value(), Math.min(16, record.value().length))) + "]";
    }
}
