package io.gpufaas.core.contract;

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
