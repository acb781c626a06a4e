package io.gpufaas.core.event;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record exactly as it came off the invocations topic. Decoding happens after the source, so
 * that a record that cannot be decoded becomes a dead letter instead of failing the job.
 */
public record RawRecord(SourcePosition position, byte[] key, byte[] value) {

    public RawRecord {
        Objects.requireNonNull(position, "position");
        key = key == null ? new byte[0] : key;
        value = value == null ? new byte[0] : value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawRecord r
                && position.equals(r.position)
                && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(position, Arrays.hashCode(key), Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "RawRecord[" + position + ", key " + key.length + " bytes, value " + value.length + " bytes]";
    }
}
