package io.gpufaas.core.router;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The invocation ids accepted within the last {@code windowMs}: a retry of one of them is a
 * duplicate. Expiry walks the ids in the order they came, so each costs O(1) amortized, whatever
 * the window holds; memory is one window's ids (about 100 bytes each), and never more than
 * {@code maxIds} of them: past that the oldest are forgotten early (counted in
 * {@link #forgottenEarly}), so a rate the window was not sized for shortens the window instead of
 * filling the heap.
 *
 * <p>Flink's keyed map state with a TTL did the same job first, keyed by function as the router's
 * input is: its incremental cleanup copied a function's whole map on every access, so a burst of
 * 20,000 calls of one function cost O(n²) and capped the router near 2,000 invocations/s.
 */
public final class RecentIds {

    /** One accepted id and when it was accepted: what a checkpoint holds. */
    public record Accepted(String id, long atMs) {}

    /** The default bound: about 200 MB of heap, a 2-minute window at 16,000 new ids per second. */
    public static final int DEFAULT_MAX_IDS = 2_000_000;

    private final long windowMs;
    private final int maxIds;
    private final Map<String, Long> acceptedAt = new HashMap<>();
    private final ArrayDeque<Accepted> inOrder = new ArrayDeque<>();
    private long forgottenEarly;

    public RecentIds(long windowMs, int maxIds) {
        if (windowMs <= 0 || maxIds < 1) {
            throw new IllegalArgumentException("the window and the most ids must be positive, were " + windowMs
                    + " ms and " + maxIds);
        }
        this.windowMs = windowMs;
        this.maxIds = maxIds;
    }

    /**
     * Records {@code id} as accepted now unless it was within the window: returns -1 for a new id,
     * else when the earlier one was accepted.
     */
    public long acceptOrFirstSeen(String id, long nowMs) {
        expire(nowMs);
        Long first = acceptedAt.get(id);
        if (first != null) {
            return first;
        }
        acceptedAt.put(id, nowMs);
        inOrder.add(new Accepted(id, nowMs));
        trimToBound();
        return -1;
    }

    /** Forgets the oldest ids while more than {@code maxIds} are remembered. */
    private void trimToBound() {
        while (acceptedAt.size() > maxIds) {
            Accepted oldest = inOrder.pollFirst();
            if (acceptedAt.remove(oldest.id(), oldest.atMs())) {
                forgottenEarly++;
            }
        }
    }

    /** Ids forgotten before their window ended because {@code maxIds} were remembered. */
    public long forgottenEarly() {
        return forgottenEarly;
    }

    /** {@code id} no longer counts as accepted (the router did not take it): its retry runs. */
    public void forget(String id) {
        acceptedAt.remove(id); // its entry in inOrder expires on its own and finds nothing to remove
    }

    private void expire(long nowMs) {
        while (!inOrder.isEmpty() && inOrder.peekFirst().atMs() + windowMs <= nowMs) {
            Accepted a = inOrder.pollFirst();
            acceptedAt.remove(a.id(), a.atMs()); // only if not forgotten and accepted again since
        }
    }

    /** Ids remembered now. */
    public int size() {
        return acceptedAt.size();
    }

    /** What a checkpoint holds: the remembered ids, oldest first. */
    public List<Accepted> snapshot() {
        List<Accepted> out = new ArrayList<>(acceptedAt.size());
        for (Accepted a : inOrder) {
            Long at = acceptedAt.get(a.id());
            if (at != null && at == a.atMs()) {
                out.add(a);
            }
        }
        return out;
    }

    /** Adds the ids of a checkpoint, oldest first (as {@link #snapshot} wrote them). */
    public void restore(List<Accepted> accepted) {
        for (Accepted a : accepted) {
            if (acceptedAt.putIfAbsent(a.id(), a.atMs()) == null) {
                inOrder.add(a);
            }
        }
        trimToBound(); // a checkpoint from a job with a larger bound
    }
}
