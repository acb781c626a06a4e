package io.gpufaas.core.router.payload;

import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.SourcePosition;
import java.util.Objects;

/**
 * An invocation's input on its way around the router, to the payload join, where it meets the
 * router's {@link PayloadDecision} on its invocation.
 *
 * @param key where the invocation was read ({@link #keyOf}), unique per record read
 * @param payload the input
 */
public record DetachedPayload(String key, Payload payload) {

    public DetachedPayload {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(payload, "payload");
    }

    /**
     * The key of an invocation read at {@code position} (topic, partition, offset): unique per record
     * read and the same when a restore reads the record again, which a retried invocation id is not.
     * Null where the position is unknown: such an invocation keeps its payload.
     */
    public static String keyOf(SourcePosition position) {
        if (position.offset() < 0 || position.partition() < 0) {
            return null;
        }
        return position.topic() + "/" + position.partition() + "@" + position.offset();
    }

    /** {@code bare} (an invocation as the router saw it) with this payload again. */
    public Invocation into(Invocation bare) {
        return bare.withInput(payload);
    }
}
