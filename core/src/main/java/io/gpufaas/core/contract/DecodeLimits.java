package io.gpufaas.core.contract;

import java.io.Serializable;

/**
 * Size limits that protect the job from oversize and hostile records.
 *
 * @param maxRecordBytes largest accepted Kafka record value
 * @param maxTensorElements largest accepted product of a tensor's dimensions (a memory-bomb guard:
 *     checked before any buffer of that size exists)
 * @param maxTensorRank most dimensions a tensor may have
 * @param maxIdLength longest accepted invocation id
 * @param maxMetadataEntries most client metadata entries
 * @param maxMetadataValueLength longest metadata key or value
 */
public record DecodeLimits(
        int maxRecordBytes,
        long maxTensorElements,
        int maxTensorRank,
        int maxIdLength,
        int maxMetadataEntries,
        int maxMetadataValueLength) implements Serializable {

    public static final int DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;

    public DecodeLimits {
        requirePositive("maxRecordBytes", maxRecordBytes);
        requirePositive("maxTensorElements", maxTensorElements);
        requirePositive("maxTensorRank", maxTensorRank);
        requirePositive("maxIdLength", maxIdLength);
        requirePositive("maxMetadataEntries", maxMetadataEntries);
        requirePositive("maxMetadataValueLength", maxMetadataValueLength);
    }

    public static DecodeLimits defaults() {
        return withMaxRecordBytes(DEFAULT_MAX_RECORD_BYTES);
    }

    public static DecodeLimits withMaxRecordBytes(int maxRecordBytes) {
        return new DecodeLimits(maxRecordBytes, 16L * 1024 * 1024, 8, 128, 32, 256);
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
