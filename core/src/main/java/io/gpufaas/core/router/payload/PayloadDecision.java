package io.gpufaas.core.router.payload;

import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.router.Routed;
import java.util.Objects;

/**
 * The router's word on an invocation whose payload waits at the payload join: run it where
 * {@code routed} says; drop the payload (the router ended the invocation itself: shed, expired,
 * refused, and wrote its result); or write it, payload and all, as a dead letter (a duplicate).
 * The router sends exactly one per detached invocation, so every payload leaves the join.
 *
 * @param key the payload's key
 * @param routed where it runs, with the invocation as the router saw it (without its bytes); null otherwise
 * @param deadLetterOf the invocation (without its bytes) that becomes a dead letter; null otherwise
 * @param deadLetterCode the dead letter's code; null unless it becomes one
 * @param deadLetterReason the dead letter's reason; null unless it becomes one
 */
public record PayloadDecision(String key, Routed routed, Invocation deadLetterOf, ErrorCode deadLetterCode,
        String deadLetterReason) {

    public PayloadDecision {
        Objects.requireNonNull(key, "key");
    }

    public static PayloadDecision run(String key, Routed routed) {
        return new PayloadDecision(key, Objects.requireNonNull(routed, "routed"), null, null, null);
    }

    public static PayloadDecision drop(String key) {
        return new PayloadDecision(key, null, null, null, null);
    }

    public static PayloadDecision deadLetter(String key, Invocation inv, ErrorCode code, String reason) {
        return new PayloadDecision(key, null, Objects.requireNonNull(inv, "invocation"),
                Objects.requireNonNull(code, "code"), Objects.requireNonNull(reason, "reason"));
    }
}
