package io.gpufaas.core.router;

/**
 * What the router has learned about one model from worker reports: its footprint and
 * (exponentially averaged) load and execution times. Checkpointed with the router.
 */
public record ModelStats(String model, long bytes, double loadMs, double execMs) {

    private static final double ALPHA = 0.2;

    /** Execution time assumed for a model that has not run yet. */
    public static final double ASSUMED_EXEC_MS = 10;

    /** What is assumed of a model of {@code bytes} before any report. */
    public static ModelStats assumed(String model, long bytes) {
        return new ModelStats(model, bytes, io.gpufaas.core.cache.LoadCosts.assumedLoadMs(bytes), ASSUMED_EXEC_MS);
    }

    ModelStats observe(long reportedBytes, long reportedLoadMs, long reportedExecMs) {
        return new ModelStats(model,
                reportedBytes > 0 ? reportedBytes : bytes,
                reportedLoadMs > 0 ? (1 - ALPHA) * loadMs + ALPHA * reportedLoadMs : loadMs,
                (1 - ALPHA) * execMs + ALPHA * Math.max(1, reportedExecMs));
    }
}
