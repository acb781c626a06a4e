package io.gpufaas.core.event;

import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one invocation.
 *
 * @param outputJson the function's output as a JSON document, or empty when not {@code OK}
 * @param errorCode machine-readable failure code when not {@code OK}, else empty
 */
public record InvocationResult(
        String id,
        String function,
        ResultStatus status,
        String outputJson,
        String errorCode,
        String errorMessage,
        Timing timing,
        Placement placement,
        Map<String, String> metadata,
        long completedAtMs) {

    /**
     * Error code of a result that did not fit its topic; the message gives both sizes. The
     * function ran: retrying the same input gives the same result.
     */
    public static final String RESULT_TOO_LARGE = "RESULT_TOO_LARGE";

    /** Error code of an invocation whose handling failed unexpectedly (a bug, or a resource running out). */
    public static final String INTERNAL = "INTERNAL";

    public InvocationResult {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(status, "status");
        outputJson = outputJson == null ? "" : outputJson;
        errorCode = errorCode == null ? "" : errorCode;
        errorMessage = errorMessage == null ? "" : errorMessage;
        timing = timing == null ? Timing.none() : timing;
        placement = placement == null ? Placement.nowhere() : placement;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public static InvocationResult ok(
            Invocation inv, String outputJson, Timing timing, Placement placement, long nowMs) {
        return new InvocationResult(inv.id(), inv.function(), ResultStatus.OK, outputJson, "", "",
                timing, placement, inv.metadata(), nowMs);
    }

    public static InvocationResult error(
            Invocation inv, String code, String message, Timing timing, Placement placement, long nowMs) {
        return new InvocationResult(inv.id(), inv.function(), ResultStatus.ERROR, "", code, message,
                timing, placement, inv.metadata(), nowMs);
    }

    /** The invocation ended with an {@link #INTERNAL} error: {@code message} is already brief. */
    public static InvocationResult internalError(Invocation inv, String message, Timing timing, Placement placement,
            long nowMs) {
        return error(inv, INTERNAL, message, timing, placement, nowMs);
    }

    public static InvocationResult expired(Invocation inv, Timing timing, Placement placement, long nowMs) {
        return new InvocationResult(inv.id(), inv.function(), ResultStatus.EXPIRED, "", "DEADLINE_EXCEEDED",
                "deadline " + inv.deadlineMs() + " passed before execution", timing, placement,
                inv.metadata(), nowMs);
    }
}
