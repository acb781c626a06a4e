package io.gpufaas.core.contract;

import java.util.List;

/**
 * What a worker tells the router after a batch (or an invocation that ended alone): how many
 * slots are free, what the run and any load cost, and which models it really holds, so the
 * router's view is corrected by the truth. One report per batch rather than per invocation
 * halves the feedback topic's records under load, where batches form.
 *
 * @param invocationId the last invocation of the batch
 * @param bytes the function's measured footprint on the worker's device (0 if not resident)
 * @param residentComplete false when {@code resident} was left out so that the report fits the
 *     status topic: the router then keeps its view of that worker as it is
 * @param completed invocations of {@code function} this report ends (a batch's size; at least 1)
 * @param backlogMs how long the work queued at the worker when it reported would keep its device
 *     busy (its own queue, measured by its own run times: no transport in it); negative when
 *     unknown. The router's credits follow it.
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
        long atMs,
        int completed,
        double backlogMs) {

    /** The backlog of a report that does not know it. */
    public static final double UNKNOWN_BACKLOG = -1;

    public WorkerReport {
        resident = resident == null ? List.of() : List.copyOf(resident);
        if (completed < 1) {
            throw new IllegalArgumentException("a report ends at least one invocation, was " + completed);
        }
    }

    /** A report of one invocation. */
    public WorkerReport(int worker, String function, String invocationId, long loadMs, long execMs, long bytes,
            List<String> resident, boolean residentComplete, long capacityBytes, long atMs) {
        this(worker, function, invocationId, loadMs, execMs, bytes, resident, residentComplete, capacityBytes, atMs, 1,
                UNKNOWN_BACKLOG);
    }

    /** The same report, ending {@code n} invocations of its function (a batch). */
    public WorkerReport withCompleted(int n) {
        return new WorkerReport(worker, function, invocationId, loadMs, execMs, bytes, resident, residentComplete,
                capacityBytes, atMs, n, backlogMs);
    }

    /** The same report, with the worker's backlog when it was made. */
    public WorkerReport withBacklogMs(double ms) {
        return new WorkerReport(worker, function, invocationId, loadMs, execMs, bytes, resident, residentComplete,
                capacityBytes, atMs, completed, ms);
    }

    /** A report listing every resident model. */
    public WorkerReport(int worker, String function, String invocationId, long loadMs, long execMs, long bytes,
            List<String> resident, long capacityBytes, long atMs) {
        this(worker, function, invocationId, loadMs, execMs, bytes, resident, true, capacityBytes, atMs);
    }

    /** The same report without its resident list, when that list would not fit the status topic. */
    public WorkerReport withoutResidentList() {
        return new WorkerReport(worker, function, invocationId, loadMs, execMs, bytes, List.of(), false,
                capacityBytes, atMs, completed, backlogMs);
    }

    /**
     * This report and {@code later} (the same worker's, on the same model) as one: it ends both
     * reports' invocations, with {@code later}'s view of the worker (resident models, backlog, time)
     * and the longer batch and load time of the two, so the router's estimate of a batch's run time
     * is not inflated by the merge.
     */
    public WorkerReport mergedWith(WorkerReport later) {
        if (later.worker != worker || !later.function.equals(function)) {
            throw new IllegalArgumentException("only one worker's reports on one model merge: " + worker + "/" + function
                    + " and " + later.worker + "/" + later.function);
        }
        return new WorkerReport(worker, function, later.invocationId, Math.max(loadMs, later.loadMs),
                Math.max(execMs, later.execMs), later.bytes > 0 ? later.bytes : bytes, later.resident,
                later.residentComplete, later.capacityBytes, later.atMs, completed + later.completed, later.backlogMs);
    }
}
