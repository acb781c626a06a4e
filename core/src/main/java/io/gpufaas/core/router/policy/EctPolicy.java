package io.gpufaas.core.router.policy;

import java.util.BitSet;
import java.util.OptionalInt;

/**
 * Ours: earliest expected completion, weighing a load against queueing, with out-of-order
 * dispatch. For every candidate worker it estimates when the invocation would finish there: its
 * expected wait for a slot, plus the load if the model is not resident (the load's cost grows with
 * the model's bytes), plus the run. The best worker wins; if that worker is busy, the invocation
 * waits for it while others go ahead.
 *
 * <p>Two things set it apart from LALB. A holder's wait includes the model's backlog: the
 * invocations queued behind this one need the same holders, so a hot model gets another replica
 * as soon as its line takes longer to drain than a load, rather than when its holder alone is
 * slow (LALB never replicates a model whose holder is always about to be free, and its line then
 * grows without bound). And placement avoids evicting models that are in demand: each victim adds
 * its own reload cost, scaled by how often it has been used, to the estimate.
 */
public final class EctPolicy implements RoutingPolicy {

    public static final String NAME = "ect-o3";

    /** Where the next scan for a free worker with room starts: just past the last one. */
    private int nextPlacement;
    /** What the last refusal waits for; see {@link #refusalAwaitsRelease}. */
    private Refusal refusal = Refusal.TURNS;
    /** The model's line (the request included) when the last refusal weighed it: see {@link #refusalStandsWhileLineAtMost}. */
    private int lineAtRefusal = Integer.MAX_VALUE;

    /** Why the last refusal was given, and so what can end it. */
    private enum Refusal {
        /** A copy of the model is loading: only that load's end, or a slot at a holder, changes the answer. */
        LOADING_ELSEWHERE,
        /** A busy holder beats any load: only its model's holders releasing, or their set changing, can change that. */
        BUSY_HOLDER_BEATS_A_LOAD,
        /** No holder, and no free worker can take the load: only a release somewhere can change that. */
        NO_WORKER_FITS,
        /** Free workers were weighed, and which may take a copy changes as other lines fill and empty: ask again. */
        TURNS
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean outOfOrder() {
        return true;
    }

    /**
     * True after a refusal that only a release can lift, whatever else starts and however time
     * passes: while a copy loads; while a busy holder beats any load (as time passes a holder's
     * expected wait only shrinks, and a longer line ends the refusal, see
     * {@link #refusalStandsWhileLineAtMost}); and while the model has no holder and no free worker
     * can take it (a start elsewhere only pins more and frees less). Not after weighing a load
     * against a holder: a copy may not take a free worker whose models have invocations waiting,
     * and that set changes as other lines fill and empty, without a release.
     */
    @Override
    public boolean refusalAwaitsRelease() {
        return refusal != Refusal.TURNS;
    }

    /** A busy holder's expected finish counts the model's backlog: a longer line may make a copy worth loading. */
    @Override
    public int refusalStandsWhileLineAtMost() {
        return refusal == Refusal.BUSY_HOLDER_BEATS_A_LOAD ? lineAtRefusal : Integer.MAX_VALUE;
    }

    /**
     * A refusal about the model's own copies watches the model: a slot released at one of its
     * holders, a holder loading it or dropping it (a copy loading ends with its invocation's slot
     * there). Any other release leaves such a refusal as it was. A refusal because no worker fits
     * watches nothing: any release ends it.
     */
    @Override
    public boolean watchRefusal(Request<?> request, Cluster cluster, Cluster.Watcher watcher) {
        if (refusal != Refusal.LOADING_ELSEWHERE && refusal != Refusal.BUSY_HOLDER_BEATS_A_LOAD) {
            return false;
        }
        cluster.watchModel(request.model(), watcher);
        return true;
    }

    @Override
    public OptionalInt choose(Request<?> request, Cluster cluster, double nowMs) {
        refusal = Refusal.TURNS;
        lineAtRefusal = Integer.MAX_VALUE;
        OptionalInt holder = Workers.freeHolder(request.model(), cluster);
        if (holder.isPresent()) {
            return holder;
        }
        if (cluster.loadingAnywhere(request.model())) {
            refusal = Refusal.LOADING_ELSEWHERE;
            return OptionalInt.empty(); // one load at a time per model: no thundering herd
        }
        // The model's holders are all busy (or there are none): the best of them...
        BitSet holders = cluster.holders(request.model());
        double backlogMs = (cluster.waiting(request.model()) - 1) * request.execCostMs() / Math.max(1, holders.cardinality());
        WorkerView best = null;
        double bestEct = Double.POSITIVE_INFINITY;
        for (int i = holders.nextSetBit(0); i >= 0; i = holders.nextSetBit(i + 1)) {
            WorkerView w = cluster.get(i);
            double ect = w.expectedWaitMs(nowMs) + backlogMs + request.execCostMs();
            if (ect < bestEct) {
                best = w;
                bestEct = ect;
            }
        }
        // ...against a load on a free worker (a busy non-holder would add its wait to the load):
        // one with room displaces nothing, so it beats any that must evict. Another copy of a
        // model that has holders does not take a worker whose own models have invocations
        // waiting: under heavy load every line is long, and stealing the hits' worker for a load
        // would turn hits into queueing.
        // A load never finishes sooner than loadEct: when a holder beats that, no free worker is
        // worth looking at.
        double loadEct = request.loadCostMs() + request.execCostMs();
        if (loadEct <= bestEct) {
            BitSet eligible = holders.isEmpty() ? cluster.free() : cluster.freeWithoutWaitingWork();
            int roomy = Workers.freeWithRoom(request.bytes(), cluster, eligible, nextPlacement);
            if (roomy >= 0) {
                if (loadEct < bestEct) {
                    nextPlacement = roomy + 1;
                    return OptionalInt.of(roomy);
                }
            } else {
                for (int i = eligible.nextSetBit(0); i >= 0; i = eligible.nextSetBit(i + 1)) {
                    WorkerView w = cluster.get(i);
                    if (w.evictionCost(request.model(), request.bytes()) < 0) {
                        continue;
                    }
                    double ect = loadEct + Workers.displacementCost(w, request.bytes());
                    if (ect < bestEct || (ect == bestEct && best != null && w.running() < best.running())) {
                        best = w;
                        bestEct = ect;
                    }
                }
            }
        }
        if (best == null || !best.hasFreeSlot()) {
            if (loadEct > bestEct) {
                refusal = Refusal.BUSY_HOLDER_BEATS_A_LOAD; // best is a holder: the loop above never ran
                lineAtRefusal = cluster.waiting(request.model());
            } else if (holders.isEmpty() && best == null) {
                refusal = Refusal.NO_WORKER_FITS;
            }
            return OptionalInt.empty();
        }
        return OptionalInt.of(best.id());
    }
}
