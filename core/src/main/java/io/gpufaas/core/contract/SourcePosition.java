package io.gpufaas.core.contract;

/** Where a record was read: enough to find it again in Kafka. */
public record SourcePosition(String topic, int partition, long offset, long timestampMs) {

    public static SourcePosition unknown() {
        return new SourcePosition("", -1, -1L, -1L);
    }
}
