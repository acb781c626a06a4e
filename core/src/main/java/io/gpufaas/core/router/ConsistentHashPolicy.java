package io.gpufaas.core.router;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Consistent hashing with bounded loads (Mirrokni et al. 2018), the stateless affinity baseline
 * of serverless load balancers: a model's invocations go to the first worker clockwise from the
 * model's hash on a ring of virtual nodes, skipping workers whose load exceeds
 * {@code ceil(c x average load)} or that have no free slot. It needs no knowledge of caches.
 */
public final class ConsistentHashPolicy implements RoutingPolicy {

    public static final String NAME = "ch-bl";
    private static final int VIRTUAL_NODES = 64;

    private final double c;
    private TreeMap<Long, Integer> ring;
    private int ringSize = -1;

    public ConsistentHashPolicy(double c) {
        if (c < 1) {
            throw new IllegalArgumentException("the load bound factor c must be >= 1, was " + c);
        }
        this.c = c;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public OptionalInt choose(Request<?> request, Cluster cluster, double nowMs) {
        List<WorkerView> workers = cluster.workers();
        if (!cluster.anyFree()) {
            return OptionalInt.empty();
        }
        if (ringSize != workers.size()) {
            ring = new TreeMap<>();
            for (WorkerView w : workers) {
                for (int v = 0; v < VIRTUAL_NODES; v++) {
                    ring.put(hash("worker-" + w.id() + "#" + v), w.id());
                }
            }
            ringSize = workers.size();
        }
        int total = cluster.totalRunning();
        double bound = Math.ceil(c * (total + 1) / workers.size());
        Long start = ring.ceilingKey(hash(request.model()));
        var tail = start == null ? ring : ring.tailMap(start, true);
        for (var entries : List.of(tail, ring.headMap(start == null ? Long.MIN_VALUE : start, false))) {
            for (int id : entries.values()) {
                WorkerView w = workers.get(id);
                if (w.running() + 1 <= bound && Workers.placeable(request, w)) {
                    return OptionalInt.of(id);
                }
            }
        }
        return OptionalInt.empty();
    }

    /** 64-bit FNV-1a: stable across JVMs, unlike String.hashCode's small range. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
