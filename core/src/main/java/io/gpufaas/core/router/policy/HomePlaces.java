package io.gpufaas.core.router.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * Where on the ring each model's walks start: its home, the first worker clockwise from the model's
 * hash whose homed bytes stay within {@code c} times its share of every homed model's bytes. This is
 * consistent hashing with bounded loads (Mirrokni et al.) applied once per model to memory instead
 * of to running invocations: the hash alone homes a few large models on one worker by chance (35
 * models on 4 workers: 8.75 each on average, standard deviation 2.6, and model sizes spread from
 * 10 MB to 2.6 GB), and that worker's loads then queue and its cache thrashes while another's
 * memory idles.
 *
 * <p>A model is homed the first time it is asked for and keeps its home: a reload finds the place
 * its model had, as on a plain ring. A worker's share is its memory over the pool's. A model larger
 * than the bound (early, while little is homed) goes to the first worker with nothing homed yet, or
 * else to the one with the least homed for its memory; a model no worker can hold stays at its
 * hash. Homes depend on the order models first arrive in, so they are not the same across router
 * restarts; the caches' contents are (they are found as holders). The homes are dropped when the
 * pool changes size (the ring changes too) or past {@link #MAX_MODELS}.
 */
final class HomePlaces {

    /** Models remembered before the homes are dropped and rebuilt from the next arrivals. */
    static final int MAX_MODELS = 100_000;

    private final double c;
    private final Map<String, Integer> starts = new HashMap<>();
    private long[] homedBytes = new long[0];
    private long homedTotal;
    /** The pool's memory, summed when the homes are (re)built: workers' capacities do not change. */
    private long poolMemory;

    HomePlaces(double c) {
        if (c < 1) {
            throw new IllegalArgumentException("the home bound factor c must be >= 1, was " + c);
        }
        this.c = c;
    }

    /** The ring position {@code model}'s walks start from: its home's, chosen on first sight. */
    int startOf(String model, long bytes, Cluster cluster, HashRing ring) {
        if (homedBytes.length != cluster.size() || starts.size() >= MAX_MODELS) {
            homedBytes = new long[cluster.size()];
            homedTotal = 0;
            starts.clear();
            poolMemory = 0;
            for (WorkerView w : cluster.workers()) {
                poolMemory += w.cache().capacity();
            }
        }
        Integer known = starts.get(model);
        if (known != null) {
            return known;
        }
        long size = Math.max(0, bytes);
        int start = homeFrom(ring.positionOf(model), size, cluster, ring);
        homedBytes[ring.ownerAt(start)] += size;
        homedTotal += size;
        starts.put(model, start);
        return start;
    }

    /** The worker {@code model} is homed on, or -1 if it has not been asked for since the homes were last dropped. */
    int homeOf(String model, HashRing ring) {
        Integer start = starts.get(model);
        return start == null ? -1 : ring.ownerAt(start);
    }

    /** Whether the pool's memory holds {@code copies} copies of every model homed so far at once. */
    boolean poolHolds(double copies) {
        return homedTotal * copies <= poolMemory;
    }

    /** The bytes homed on worker {@code id}. */
    long homedBytes(int id) {
        return id < homedBytes.length ? homedBytes[id] : 0;
    }

    private int homeFrom(int hashed, long bytes, Cluster cluster, HashRing ring) {
        if (poolMemory <= 0) {
            return hashed;
        }
        double boundPerByteOfMemory = c * (homedTotal + bytes) / (double) poolMemory;
        int leastHomed = -1;
        double leastShare = Double.POSITIVE_INFINITY;
        for (int k = 0; k < ring.size(); k++) {
            int position = (hashed + k) % ring.size();
            WorkerView w = cluster.get(ring.ownerAt(position));
            long memory = w.cache().capacity();
            if (bytes > memory) {
                continue;
            }
            if (homedBytes[w.id()] + bytes <= Math.max(bytes, boundPerByteOfMemory * memory)) {
                return position;
            }
            double share = homedBytes[w.id()] / (double) memory;
            if (share < leastShare) {
                leastHomed = position;
                leastShare = share;
            }
        }
        // Over the bound everywhere (a model larger than the bound while every worker has some
        // homed): the worker with the least homed for its memory, the first such from the hash.
        return leastHomed >= 0 ? leastHomed : hashed;
    }
}
