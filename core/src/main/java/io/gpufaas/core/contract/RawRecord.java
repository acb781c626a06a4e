package io.gpufaas.core.contract;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record exactly as it came off the invocations topic. Decoding happens after the source, so
 * that a record that cannot be decoded becomes a dead letter instead of failing the job.
 *
 * <p>Kafka tells a missing key or value (null, e.g. a tombstone) from an empty one; so does this
 * record, and so do the dead letters made from it. The arrays are never null: a null one is empty
 * with its {@code nullKey}/{@code nullValue} flag set.
 */
public record RawRecord(SourcePosition position, byte[] key, byte[] value, boolean nullKey, boolean nullValue) {

    private static final byte[] NONE = new byte[0];

    public RawRecord {
        Objects.requireNonNull(position, "position");
        nullKey = nullKey || key == null;
        nullValue = nullValue || value == null;
        key = key == null ? NONE : key;
        value = value == null ? NONE : value;
    }

    /** A record as Kafka hands it over: {@code null} key or value stays distinguishable from empty. */
    public RawRecord(SourcePosition position, byte[] key, byte[] value) {
        this(position, key, value, key == null, value == null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawRecord r
                && position.equals(r.position)
                && nullKey == r.nullKey
                && nullValue == r.nullValue
                && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(position, Arrays.hashCode(key), Arrays.hashCode(value), nullKey, nullValue);
    }

    @Override
    public String toString() {
        return "RawRecord[" + position + ", key " + (nullKey ? "null" : key.length + " bytes")
                + ", value " + (nullValue ? "null" : value.length + " bytes") + "]";
    }
}
