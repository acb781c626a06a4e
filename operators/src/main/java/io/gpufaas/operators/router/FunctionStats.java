package io.gpufaas.operators.router;

/**
 * What the router has learned about one function from worker reports: its footprint and
 * (exponentially averaged) load and execution times. Checkpointed with the router.
 */
public record FunctionStats(String function, long bytes, double loadMs, double execMs) {

    private static final double ALPHA = 0.2;

    FunctionStats observe(long reportedBytes, long reportedLoadMs, long reportedExecMs) {
        return new FunctionStats(function,
                reportedBytes > 0 ? reportedBytes : bytes,
                reportedLoadMs > 0 ? (1 - ALPHA) * loadMs + ALPHA * reportedLoadMs : loadMs,
                (1 - ALPHA) * execMs + ALPHA * Math.max(1, reportedExecMs));
    }
}
