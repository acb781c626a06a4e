package io.gpufaas.core.contract;

import java.util.Map;
import java.util.Objects;

/**
 * A validated request to run one function once.
 *
 * @param id caller-chosen identifier, echoed in the result; also the Kafka key
 * @param function name of a deployed function
 * @param input the function's input
 * @param deadlineMs epoch milliseconds after which the caller no longer wants a result, or
 *     {@link #NO_DEADLINE}
 * @param metadata opaque client metadata, echoed back untouched
 * @param source where the invocation was read, which also gives its arrival time
 * @param version the function's model version deployed when the invocation was accepted (0 for
 *     built-ins): the version that runs it
 */
public record Invocation(
        String id,
        String function,
        Payload input,
        long deadlineMs,
        Map<String, String> metadata,
        SourcePosition source,
        int version) {

    public static final long NO_DEADLINE = Long.MAX_VALUE;

    public Invocation {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(input, "input");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        source = source == null ? SourcePosition.unknown() : source;
    }

    /** An invocation of a function without a versioned model, or whose version is not known yet. */
    public Invocation(String id, String function, Payload input, long deadlineMs, Map<String, String> metadata,
            SourcePosition source) {
        this(id, function, input, deadlineMs, metadata, source, 0);
    }

    /** The same invocation with {@code input} as its input. */
    public Invocation withInput(Payload input) {
        return new Invocation(id, function, input, deadlineMs, metadata, source, version);
    }

    /** The model that runs it: the router's, the cache's and the reports' name for it ({@link ModelKeys}). */
    public String model() {
        return ModelKeys.of(function, version);
    }

    public boolean hasDeadline() {
        return deadlineMs != NO_DEADLINE;
    }

    /**
     * Roughly the heap this invocation holds: its input bytes plus its strings. What bounds in
     * bytes (the router's waiting queue) count.
     */
    public long sizeBytes() {
        long bytes = 64L + input.data().length + 8L * input.shape().length + 2L * (id.length() + function.length());
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            bytes += 2L * (e.getKey().length() + e.getValue().length()) + 32;
        }
        return bytes;
    }

    /** Arrival time: the Kafka record timestamp, set by the producer or the broker. */
    public long arrivedAtMs() {
        return source.timestampMs();
    }
}
