package io.gpufaas.core.contract;

import java.util.List;

/**
 * What a worker tells the router after each invocation: a slot is free, what the run and any load
 * cost, and which models it really holds, so the router's view is corrected by the truth.
 *
 * @param bytes the function's measured footprint on the worker's device (0 if not resident)
 * @param residentComplete false when {@code resident} was left out so that the report fits the
 *     status topic: the router then keeps its view of that worker as it is
 */
public record WorkerReport(
        int worker,
        String function,
        String invocationId,
        long loadMs,
        long execMs,
        long bytes,
        List<String> resident,
        boolean residentComplete,
        long capacityBytes,
        long atMs) {

    public WorkerReport {
        resident = resident == null ? List.of() : List.copyOf(resident);
    }

    /** A report listing every resident model. */
    public WorkerReport(int worker, String function, String invocationId, long loadMs, long execMs, long bytes,
            List<String> resident, long capacityBytes, long atMs) {
        this(worker, function, invocationId, loadMs, execMs, bytes, resident, true, capacityBytes, atMs);
    }

    /** The same report without its resident list, when that list would not fit the status topic. */
    public WorkerReport withoutResidentList() {
        return new WorkerReport(worker, function, invocationId, loadMs, execMs, bytes, List.of(), false,
                capacityBytes, atMs);
    }
}
