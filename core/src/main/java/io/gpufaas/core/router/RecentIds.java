package io.gpufaas.core.router;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The invocation ids accepted within the last {@code windowMs}: a retry of one of them is a
 * duplicate. Expiry walks the ids in the order they came, so each costs O(1) amortized, whatever
 * the window holds; memory is one window's ids (about 100 bytes each).
 *
 * <p>Flink's keyed map state with a TTL did the same job first, keyed by function as the router's
 * input is: its incremental cleanup copied a function's whole map on every access, so a burst of
 * 20,000 calls of one function cost O(n²) and capped the router near 2,000 invocations/s.
 */
public final class RecentIds {

    /** One accepted id and when it was accepted: what a checkpoint holds. */
    public record Accepted(String id, long atMs) {}

    private final long windowMs;
    private final Map<String, Long> acceptedAt = new HashMap<>();
    private final ArrayDeque<Accepted> inOrder = new ArrayDeque<>();

    public RecentIds(long windowMs) {
        if (windowMs <= 0) {
            throw new IllegalArgumentException("the window must be positive, was " + windowMs + " ms");
        }
        this.windowMs = windowMs;
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
        return -1;
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
    }
}
