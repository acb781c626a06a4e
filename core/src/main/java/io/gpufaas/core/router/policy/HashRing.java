package io.gpufaas.core.router.policy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A consistent-hashing ring over {@code n} workers: {@link #VIRTUAL_NODES} well-mixed points per
 * worker in sorted arrays, so finding a key's place is a binary search, O(log n). Keys are FNV-1a
 * finished with Murmur3's 64-bit mixer: FNV-1a alone puts the virtual nodes of {@code worker-i#v}
 * in long runs (8 workers got 8-46% of the ring), which a good finaliser spreads evenly.
 */
final class HashRing {

    static final int VIRTUAL_NODES = 100;

    /** Keys whose positions a ring remembers; past this many a lookup searches (a JVM's rings are shared and live as long as it). */
    static final int MAX_REMEMBERED_KEYS = 100_000;

    /**
     * Rings by worker count, shared: a ring over n workers is always the same, and building one
     * over a fleet (100,000 points hashed and sorted) cost a tuned router's replays, which each
     * start a fresh policy, half their time.
     */
    private static final java.util.Map<Integer, HashRing> RINGS = new java.util.concurrent.ConcurrentHashMap<>();

    private final long[] keys;
    private final int[] owners;
    /** Each key's position, once found: models are few and decisions many. Shared by every policy on a ring of this size. */
    private final java.util.Map<String, Integer> positions = new java.util.concurrent.ConcurrentHashMap<>();

    HashRing(int n) {
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
    }

    /** {@code current} if it is a ring over {@code workers}, else the shared one: policies keep theirs across decisions. */
    static HashRing forWorkers(HashRing current, int workers) {
        return current != null && current.size() == workers * VIRTUAL_NODES ? current
                : RINGS.computeIfAbsent(workers, HashRing::new);
    }

    int size() {
        return keys.length;
    }

    /** The first ring position at or after {@code key}'s hash, wrapping round. */
    int positionOf(String key) {
        Integer known = positions.get(key);
        if (known != null) {
            return known;
        }
        int position = search(key);
        if (positions.size() < MAX_REMEMBERED_KEYS) {
            positions.put(key, position);
        }
        return position;
    }

    private int search(String key) {
        int i = Arrays.binarySearch(keys, hash(key));
        int at = i >= 0 ? i : -i - 1;
        return at == keys.length ? 0 : at;
    }

    /** The worker at ring position {@code position} (taken modulo the ring's size). */
    int ownerAt(int position) {
        return owners[position % keys.length];
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

    /** Each worker's share of the key space (the arcs ending at its nodes): ~1/n each when well mixed. */
    double[] shares(int n) {
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
