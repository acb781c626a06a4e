package io.gpufaas.core.contract;

import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one invocation.
 *
 * @param outputJson the function's output as a JSON document, or empty when not {@code OK}
 * @param errorCode an {@link ErrorCode}'s name when not {@code OK}, else empty (a string: it is the
 *     wire form, and results written by other versions may carry codes this one does not know)
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
            Invocation inv, ErrorCode code, String message, Timing timing, Placement placement, long nowMs) {
        return new InvocationResult(inv.id(), inv.function(), ResultStatus.ERROR, "", code.name(), message,
                timing, placement, inv.metadata(), nowMs);
    }

    /** This result, ended with {@code code} instead; id, metadata, timing and placement kept. */
    public InvocationResult asError(ErrorCode code, String message) {
        return new InvocationResult(id, function, ResultStatus.ERROR, "", code.name(), message, timing, placement,
                metadata, completedAtMs);
    }

    /** The invocation ended with an {@link ErrorCode#INTERNAL} error: {@code message} is already brief. */
    public static InvocationResult internalError(Invocation inv, String message, Timing timing, Placement placement,
            long nowMs) {
        return error(inv, ErrorCode.INTERNAL, message, timing, placement, nowMs);
    }

    public static InvocationResult expired(Invocation inv, Timing timing, Placement placement, long nowMs) {
        return new InvocationResult(inv.id(), inv.function(), ResultStatus.EXPIRED, "", ErrorCode.DEADLINE_EXCEEDED.name(),
                "deadline " + inv.deadlineMs() + " passed before execution", timing, placement,
                inv.metadata(), nowMs);
    }
}
