package io.gpufaas.core.router.payload;

import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.Payload;
import java.util.Objects;

/**
 * What the router receives for one invocation: the invocation itself, or, when its input is large
 * enough to go around the router (the job's payload split), the invocation without its input bytes
 * and the key under which the payload join holds them ({@link DetachedPayload}).
 *
 * @param invocation the invocation; its input's bytes are empty when {@code payloadKey} is set
 * @param payloadKey where the payload waits, or null when the invocation carries it
 * @param sizeBytes what the invocation holds with its payload ({@link Invocation#sizeBytes}): the
 *     router's bound in bytes counts payloads waiting at the join as if they waited in the router
 */
public record RouterRequest(Invocation invocation, String payloadKey, long sizeBytes) {

    private static final byte[] NO_BYTES = new byte[0];

    public RouterRequest {
        Objects.requireNonNull(invocation, "invocation");
    }

    /** An invocation that carries its payload through the router. */
    public static RouterRequest inline(Invocation invocation) {
        return new RouterRequest(invocation, null, invocation.sizeBytes());
    }

    /** {@code inv} without its input's bytes, its payload waiting under {@code payloadKey}; its size is kept. */
    public static RouterRequest detached(Invocation inv, String payloadKey) {
        Payload p = inv.input();
        return new RouterRequest(inv.withInput(new Payload(p.kind(), NO_BYTES, p.shape())),
                Objects.requireNonNull(payloadKey, "payload key"), inv.sizeBytes());
    }

    /** True when the payload travels apart, through the payload join. */
    public boolean detached() {
        return payloadKey != null;
    }

    /** The function, the router's key. */
    public String function() {
        return invocation.function();
    }
}
