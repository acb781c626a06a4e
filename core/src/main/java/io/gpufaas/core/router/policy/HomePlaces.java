package io.gpufaas.core.router.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * Where on the ring each model's walks start: its home, the worker whose memory its homed models
 * would fill least with this one (the first from the model's hash among equals), chosen once per
 * model in the order models first arrive. This is greedy list scheduling of models' bytes onto
 * workers' memory: no worker ends up with more than its share of every homed model's bytes plus
 * one model. The hash alone homes a few large models on one worker by chance (35 models on 4
 * workers: 8.75 each on average, standard deviation 2.6, and model sizes spread from 10 MB to
 * 2.6 GB), and that worker's loads then queue and its cache thrashes while another's memory idles.
 *
 * <p>It replaced the first worker from the hash within its share (consistent hashing with bounded
 * loads, Mirrokni et al., applied to memory), which kept the bound but left which models share a
 * worker to the hash: renaming the models moved ours' verdict in a tenth of the tuning cells. With
 * equal memories the homed bytes per worker no longer depend on the names at all, only their
 * order on the ring does (docs/benchmarks.md, "Homes by least share").
 *
 * <p>A model keeps its home: a reload finds the place its model had, as on a plain ring. A worker's
 * share is its memory over the pool's; a model no worker can hold stays at its hash. Homes depend
 * on the order models first arrive in, so they are not the same across router restarts; the
 * caches' contents are (they are found as holders). The homes are dropped when the pool changes
 * size (the ring changes too) or past {@link #MAX_MODELS}.
 */
final class HomePlaces {

    /** Models remembered before the homes are dropped and rebuilt from the next arrivals. */
    static final int MAX_MODELS = 100_000;

    private final Map<String, Integer> starts = new HashMap<>();
    private long[] homedBytes = new long[0];
    private long homedTotal;
    /** The pool's memory, summed when the homes are (re)built: workers' capacities do not change. */
    private long poolMemory;

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
        // The least share any worker that can hold the model would have with it...
        double least = Double.POSITIVE_INFINITY;
        for (WorkerView w : cluster.workers()) {
            if (bytes <= w.cache().capacity()) {
                least = Math.min(least, shareWith(w, bytes));
            }
        }
        if (least == Double.POSITIVE_INFINITY) {
            return hashed; // no worker can hold it
        }
        // ...and the first worker with it from the model's hash: a worker's first point is about
        // a worker's width of points away, so the walk is O(workers), not O(points).
        for (int k = 0; k < ring.size(); k++) {
            int position = (hashed + k) % ring.size();
            WorkerView w = cluster.get(ring.ownerAt(position));
            if (bytes <= w.cache().capacity() && shareWith(w, bytes) == least) {
                return position;
            }
        }
        throw new IllegalStateException("every worker is on the ring");
    }

    /** The share of {@code w}'s memory its homed models would take with {@code bytes} more. */
    private double shareWith(WorkerView w, long bytes) {
        return (homedBytes[w.id()] + bytes) / (double) w.cache().capacity();
    }
}
