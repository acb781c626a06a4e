package io.gpufaas.core.router;

import java.util.List;

/**
 * What a worker tells the router after each invocation: a slot is free, what the run and any load
 * cost, and which models it really holds, so the router's view is corrected by the truth.
 *
 * @param bytes the function's measured footprint on the worker's device (0 if not resident)
 */
public record WorkerReport(
        int worker,
        String function,
        String invocationId,
        long loadMs,
        long execMs,
        long bytes,
        List<String> resident,
        long capacityBytes,
        long atMs) {

    public WorkerReport {
        resident = resident == null ? List.of() : List.copyOf(resident);
    }
}
