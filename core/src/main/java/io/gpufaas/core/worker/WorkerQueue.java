package io.gpufaas.core.worker;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.function.Function;

/**
 * A worker's local queue of invocations, and the order it dispatches them in.
 *
 * <ul>
 *   <li><b>FIFO first</b>: the oldest invocation runs when its model is resident, or asks for its
 *       model to be loaded.
 *   <li><b>Out-of-order dispatch</b> (the reference design's "O3"): while the oldest invocation
 *       waits for a load, invocations of resident models behind it may run ahead. Each run-ahead
 *       counts as a bypass of every invocation it overtakes; once the oldest, blocked (no room for
 *       its model until something completes), has been bypassed {@code maxBypass} times, nothing
 *       overtakes it again, so nothing starves. An oldest whose load is under way may be overtaken
 *       without bound: its load goes on regardless, and it runs first once the load ends.
 *   <li><b>Dynamic batching</b>: a dispatch takes up to {@code maxBatch} queued invocations of the
 *       same model, in order. With {@code maxBatchDelayMs} above 0 a partial batch waits until its
 *       oldest invocation is that old, in case more arrive (Triton's max queue delay).
 * </ul>
 *
 * Plain Java and not thread-safe: the worker's dispatcher and the simulator drive the same class.
 */
public final class WorkerQueue<T> {

    private static final class Pending<T> {
        final T item;
        final String model;
        final long enqueuedMs;
        final long deadlineMs;
        int bypassed;

        Pending(T item, String model, long enqueuedMs, long deadlineMs) {
            this.item = item;
            this.model = model;
            this.enqueuedMs = enqueuedMs;
            this.deadlineMs = deadlineMs;
        }
    }

    private final LinkedList<Pending<T>> queue = new LinkedList<>();
    private final int maxBatch;
    private final long maxBatchDelayMs;
    private final boolean outOfOrder;
    private final int maxBypass;

    public WorkerQueue(int maxBatch, long maxBatchDelayMs, boolean outOfOrder, int maxBypass) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch size must be at least 1, was " + maxBatch);
        }
        if (maxBatchDelayMs < 0 || maxBypass < 0) {
            throw new IllegalArgumentException("batch delay and bypass bound must not be negative");
        }
        this.maxBatch = maxBatch;
        this.maxBatchDelayMs = maxBatchDelayMs;
        this.outOfOrder = outOfOrder;
        this.maxBypass = maxBypass;
    }

    public void add(T item, String model, long nowMs, long deadlineMs) {
        queue.add(new Pending<>(item, model, nowMs, deadlineMs));
    }

    public int size() {
        return queue.size();
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Removes and returns the invocations whose deadline has passed. */
    public List<T> removeExpired(long nowMs) {
        List<T> expired = new ArrayList<>();
        for (Iterator<Pending<T>> it = queue.iterator(); it.hasNext(); ) {
            Pending<T> p = it.next();
            if (p.deadlineMs < nowMs) {
                expired.add(p.item);
                it.remove();
            }
        }
        return expired;
    }

    /** Removes and returns every queued invocation of {@code model} (e.g. its model cannot load). */
    public List<T> removeModel(String model) {
        List<T> removed = new ArrayList<>();
        for (Iterator<Pending<T>> it = queue.iterator(); it.hasNext(); ) {
            Pending<T> p = it.next();
            if (p.model.equals(model)) {
                removed.add(p.item);
                it.remove();
            }
        }
        return removed;
    }

    /**
     * Decides the next dispatch. A {@link Dispatch.Run} removes its batch from the queue; the
     * other answers change nothing.
     */
    public Dispatch<T> next(long nowMs, Function<String, ModelState> state) {
        if (queue.isEmpty()) {
            return new Dispatch.Idle<>();
        }
        Pending<T> head = queue.getFirst();
        ModelState headState = state.apply(head.model);
        if (headState == ModelState.READY) {
            return runOrWait(head, nowMs, 0);
        }
        if (headState == ModelState.ABSENT) {
            return new Dispatch.Load<>(head.model);
        }
        // Only a blocked head needs the bound: work on resident models could keep the room it
        // waits for taken for good. A loading head loses nothing by being overtaken, as its load
        // goes on and it runs first once the load ends; holding hits behind a load instead made a
        // hot model's invocations wait out a 2.7 s load of another model in a burst.
        if (!outOfOrder || (headState == ModelState.BLOCKED && head.bypassed >= maxBypass)) {
            return new Dispatch.Idle<>();
        }
        int index = 0;
        for (Pending<T> p : queue) {
            if (index > 0 && state.apply(p.model) == ModelState.READY) {
                Dispatch<T> d = runOrWait(p, nowMs, index);
                if (d instanceof Dispatch.Run) {
                    return d;
                }
            }
            index++;
        }
        return new Dispatch.Idle<>();
    }

    private Dispatch<T> runOrWait(Pending<T> first, long nowMs, int firstIndex) {
        List<Pending<T>> batch = new ArrayList<>();
        for (Pending<T> p : queue) {
            if (p.model.equals(first.model)) {
                batch.add(p);
                if (batch.size() == maxBatch) {
                    break;
                }
            }
        }
        if (batch.size() < maxBatch && maxBatchDelayMs > 0 && nowMs < first.enqueuedMs + maxBatchDelayMs) {
            return new Dispatch.WaitUntil<>(first.enqueuedMs + maxBatchDelayMs);
        }
        // Everything ahead of the batch's first item that stays queued has been overtaken.
        int i = 0;
        for (Pending<T> p : queue) {
            if (i++ >= firstIndex) {
                break;
            }
            p.bypassed++;
        }
        // The batch was collected in queue order: one pass takes it out (removeAll asked the batch
        // about every queued item, a cost of queue length x batch size per batch).
        Iterator<Pending<T>> queued = queue.iterator();
        for (int taken = 0; taken < batch.size() && queued.hasNext(); ) {
            if (queued.next() == batch.get(taken)) {
                queued.remove();
                taken++;
            }
        }
        List<T> items = new ArrayList<>(batch.size());
        batch.forEach(p -> items.add(p.item));
        return new Dispatch.Run<>(first.model, items);
    }
}
