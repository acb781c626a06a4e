package io.gpufaas.core.router;

/**
 * What the router has learned about one model from worker reports: its footprint and
 * (exponentially averaged) load and execution times. Checkpointed with the router.
 */
public record ModelStats(String model, long bytes, double loadMs, double execMs) {

    private static final double ALPHA = 0.2;

    /**
     * Host-to-device throughput assumed for a model no load has measured yet: 500 MB/s, i.e.
     * 500,000 bytes a millisecond. The one place this guess lives; measurements replace it.
     */
    public static final double ASSUMED_LOAD_BYTES_PER_MS = 500_000;

    /** Execution time assumed for a model that has not run yet. */
    public static final double ASSUMED_EXEC_MS = 10;

    /** What is assumed of a model of {@code bytes} before any report. */
    public static ModelStats assumed(String model, long bytes) {
        return new ModelStats(model, bytes, assumedLoadMs(bytes), ASSUMED_EXEC_MS);
    }

    public static double assumedLoadMs(long bytes) {
        return Math.max(1, bytes / ASSUMED_LOAD_BYTES_PER_MS);
    }

    ModelStats observe(long reportedBytes, long reportedLoadMs, long reportedExecMs) {
        return new ModelStats(model,
                reportedBytes > 0 ? reportedBytes : bytes,
                reportedLoadMs > 0 ? (1 - ALPHA) * loadMs + ALPHA * reportedLoadMs : loadMs,
                (1 - ALPHA) * execMs + ALPHA * Math.max(1, reportedExecMs));
    }
}
