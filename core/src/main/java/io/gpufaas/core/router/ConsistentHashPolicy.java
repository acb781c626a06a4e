package io.gpufaas.core.router;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam, SODA 2018), the
 * stateless affinity baseline of serverless load balancers: a model's invocations go to the first
 * worker clockwise from the model's hash on a ring of virtual nodes whose load is under
 * {@code ceil(c x (running + 1) / workers)}. That worker is the model's place now: if it has no
 * free slot, the invocation waits for it (the router lets other models' invocations go first), as
 * it would queue at its server. It needs no knowledge of caches.
 *
 * <p>The ring is sorted arrays searched in O(log n), and a walk ends at the first worker under the
 * bound: at most a fraction 1/c of the workers can be at it, so walks are short. Keys are FNV-1a
 * finished with Murmur3's 64-bit mixer: FNV-1a alone puts the virtual nodes of
 * {@code worker-i#v} in long runs (8 workers got 8-46% of the ring), which a good finaliser
 * spreads evenly.
 */
public final class ConsistentHashPolicy implements RoutingPolicy {

    public static final String NAME = "ch-bl";
    static final int VIRTUAL_NODES = 100;

    private final double c;
    private long[] keys = new long[0];
    private int[] owners = new int[0];
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

    /** Other models' invocations may go while one waits for its place. */
    @Override
    public boolean outOfOrder() {
        return true;
    }

    @Override
    public OptionalInt choose(Request<?> request, Cluster cluster, double nowMs) {
        List<WorkerView> workers = cluster.workers();
        if (!cluster.anyFree()) {
            return OptionalInt.empty();
        }
        if (ringSize != workers.size()) {
            buildRing(workers.size());
        }
        double bound = Math.ceil(c * (cluster.totalRunning() + 1) / workers.size());
        int start = indexOf(hash(request.model()));
        for (int k = 0; k < keys.length; k++) {
            WorkerView w = workers.get(owners[(start + k) % keys.length]);
            if (w.running() + 1 <= bound) {
                return Workers.placeable(request, w) ? OptionalInt.of(w.id()) : OptionalInt.empty();
            }
        }
        return OptionalInt.empty();
    }

    /** The first ring position at or after {@code key}, wrapping round. */
    private int indexOf(long key) {
        int i = Arrays.binarySearch(keys, key);
        int at = i >= 0 ? i : -i - 1;
        return at == keys.length ? 0 : at;
    }

    private void buildRing(int n) {
        long[][] nodes = new long[n * VIRTUAL_NODES][];
        for (int w = 0; w < n; w++) {
            for (int v = 0; v < VIRTUAL_NODES; v++) {
                nodes[w * VIRTUAL_NODES + v] = new long[] {hash("worker-" + w + "#" + v), w};
            }
        }
        Arrays.sort(nodes, (a, b) -> Long.compare(a[0], b[0]));
        keys = new long[nodes.length];
        owners = new int[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            keys[i] = nodes[i][0];
            owners[i] = (int) nodes[i][1];
        }
        ringSize = n;
    }

    /** 64-bit FNV-1a finished with Murmur3's fmix64: stable across JVMs and well mixed. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Each worker's share of the key space (the arcs ending at its nodes), for tests: ~1/n each when well mixed. */
    double[] ringShares(int n) {
        if (ringSize != n) {
            buildRing(n);
        }
        double[] share = new double[n];
        for (int i = 0; i < keys.length; i++) {
            // Two's complement subtraction gives the clockwise distance, wrapping round at the first node.
            long diff = keys[i] - keys[(i - 1 + keys.length) % keys.length];
            double arc = diff >= 0 ? diff : diff + 0x1p64;
            share[owners[i]] += arc / 0x1p64;
        }
        return share;
    }
}
