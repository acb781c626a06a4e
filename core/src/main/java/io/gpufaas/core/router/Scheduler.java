package io.gpufaas.core.router;

import io.gpufaas.core.router.policy.Assignment;
import io.gpufaas.core.router.policy.Cluster;
import io.gpufaas.core.router.policy.Request;
import io.gpufaas.core.router.policy.RoutingPolicy;
import io.gpufaas.core.router.policy.WorkerView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The router's global queue: invocations wait here until a policy sends each to a worker with a
 * free slot, with the plan the worker executes (evict, load, run). The router's view of every
 * worker is exact because it makes every placement and eviction itself; completions free slots.
 *
 * <p>Out-of-order dispatch, for policies that ask for it: while the oldest invocation waits (its
 * holder is busy), later ones of other models may be dispatched, at most {@code maxBypass} times
 * past any one invocation (counting only starts on the worker it waits for, when its policy names
 * one) and, where it waits for one worker, only while the expected run time of those that overtook
 * it there is under {@code maxOvertakenWork} times its own expected load and run, looking at most
 * {@code window} models deep. Past those bounds nothing more starts on the worker the oldest waits
 * for, so that what it waits for there comes free; other workers go on taking work. Where its
 * policy names no worker, nothing starts anywhere until it has. Invocations of one model
 * always leave in arrival order. Plain Java, one caller at a time:
 * the Flink router operator and the simulator drive the same class.
 */
public final class Scheduler<T> {

    private static final class Pending<T> implements Cluster.Watcher {
        final Request<T> request;
        /** Arrival order across all models. */
        final long seq;
        int bypassed;
        /** The expected run time of the invocations that overtook it on the worker it waits for. */
        double overtakenByMs;
        /** {@link Cluster#releases} when the policy last refused this with a refusal that awaits a release; -1 if none stands. */
        long refusedAtRelease = -1;
        long refusalKey;
        /** The limits its standing refusal holds within ({@link RoutingPolicy#refusalStandsWhileLineAtMost} and the others). */
        int lineAtMost;
        int queuedAtLeast;
        double untilMs;
        /** Whether its standing refusal ends only when woken ({@link RoutingPolicy#watchRefusal}), not at any release. */
        boolean watched;
        /** Times woken, and that count when it was last refused. */
        long wakes;
        long wakesAtRefusal;
        /** Its model's line, which it waits in. */
        final ArrayDeque<Pending<T>> line;
        /** The worker its last refusal waits for ({@link RoutingPolicy#awaitedWorker}); -1 if not one. */
        int awaitedWorker = -1;

        Pending(Request<T> request, long seq, ArrayDeque<Pending<T>> line) {
            this.request = request;
            this.seq = seq;
            this.line = line;
        }

        @Override
        public void wake() {
            wakes++;
        }

        /** Whether nothing that can end its standing refusal has happened since. */
        boolean refusalUnreleased(Cluster cluster) {
            return refusedAtRelease >= 0 && (watched ? wakes == wakesAtRefusal : refusedAtRelease == cluster.releases());
        }

        /** Whether its standing refusal holds whatever the lines and the clock do. */
        boolean refusalUnlimited() {
            return lineAtMost == Integer.MAX_VALUE && queuedAtLeast == 0 && untilMs == Double.POSITIVE_INFINITY;
        }
    }

    private final RoutingPolicy policy;
    private final List<WorkerView> workers;
    private final Cluster cluster;
    private final int maxBypass;
    private final double maxOvertakenWork;
    private final int window;
    /**
     * Waiting invocations, first in first out per model. Only each model's oldest is ever a
     * candidate: its later ones would get the same placement, so looking past them is wasted work,
     * and letting a burst of one hot model fill the out-of-order window would block every other
     * model behind it (head-of-line blocking, which at fleet scale stalls a thousand idle GPUs).
     */
    private final Map<String, ArrayDeque<Pending<T>>> waiting = new HashMap<>();
    /**
     * The oldest waiting invocation of each model, in arrival order: what dispatch looks at. The
     * comparator is written out, where comparingLong called a key extractor twice per comparison.
     */
    private final TreeSet<Pending<T>> heads = new TreeSet<>((a, b) -> Long.compare(a.seq, b.seq));
    private long nextSeq;
    private int queued;
    /**
     * Where the last dispatch ended with nothing to start although slots were free, every candidate
     * it looked at refused with a refusal that awaits a release: the cluster's releases and the
     * policy's key then (-1: no such end stands). Until a release, a new key or a change to the
     * candidates a dispatch looks at, another dispatch would ask them all again to the same end. On
     * the fleet day at u = 0.95 (608 k invocations) 460 k of ch-bl's dispatches and 126 k of
     * {@code demand}'s end at once so.
     */
    private long quietAtRelease = -1;
    private long quietKey;
    private CopyLimits copyLimits = CopyLimits.NONE;

    /** Per-function bounds on how many workers hold a model. */
    public interface CopyLimits {
        CopyLimits NONE = new CopyLimits() {};

        /** Copies never evicted once they exist; 0 for none. */
        default int min(String model) {
            return 0;
        }

        /** Most workers holding the model at once; 0 for no limit. */
        default int max(String model) {
            return 0;
        }
    }

    public void copyLimits(CopyLimits limits) {
        this.copyLimits = Objects.requireNonNull(limits, "limits");
    }

    /** Workers holding {@code model} ready. */
    public int copies(String model) {
        return cluster.holders(model).cardinality();
    }

    public Cluster cluster() {
        return cluster;
    }

    /** With the default bound on overtaken work ({@link RouterSettings#DEFAULTS}). */
    public Scheduler(RoutingPolicy policy, List<WorkerView> workers, int maxBypass, int window) {
        this(policy, workers, maxBypass, RouterSettings.DEFAULTS.maxOvertakenWork(), window);
    }

    public Scheduler(RoutingPolicy policy, List<WorkerView> workers, int maxBypass, double maxOvertakenWork, int window) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.workers = List.copyOf(workers);
        this.cluster = new Cluster(this.workers);
        this.cluster.waiting(model -> {
            ArrayDeque<Pending<T>> line = waiting.get(model);
            return line == null ? 0 : line.size();
        }, () -> queued);
        if (this.workers.isEmpty() || maxBypass < 0 || window < 1 || !(maxOvertakenWork >= 0)
                || Double.isInfinite(maxOvertakenWork)) {
            throw new IllegalArgumentException("need workers, maxBypass >= 0, a finite maxOvertakenWork >= 0 and window >= 1");
        }
        this.maxBypass = maxBypass;
        this.maxOvertakenWork = maxOvertakenWork;
        this.window = window;
    }

    public RoutingPolicy policy() {
        return policy;
    }

    public List<WorkerView> workers() {
        return workers;
    }

    public int queued() {
        return queued;
    }

    /** Queues {@code request}, seen at its own arrival time. */
    public void submit(Request<T> request) {
        submit(request, request.arrivedMs());
    }

    /** Queues {@code request}, which the router saw at {@code seenAtMs} on its clock (what the policy's rates count in). */
    public void submit(Request<T> request, double seenAtMs) {
        policy.arrived(request.model(), seenAtMs);
        ArrayDeque<Pending<T>> line = waiting.computeIfAbsent(request.model(), m -> new ArrayDeque<>());
        Pending<T> p = new Pending<>(request, nextSeq++, line);
        line.add(p);
        if (line.size() == 1) {
            heads.add(p);
            cluster.lineChanged(request.model(), true);
            if (heads.size() <= window) {
                quietAtRelease = -1; // a new candidate a dispatch would ask (the youngest: the last head)
            }
        }
        queued++;
    }

    /** Removes and returns the waiting requests that match, oldest first (e.g. past their deadline). */
    public List<Request<T>> removeIf(Predicate<Request<T>> condition) {
        List<Pending<T>> removed = new ArrayList<>();
        for (Iterator<ArrayDeque<Pending<T>>> lines = waiting.values().iterator(); lines.hasNext(); ) {
            ArrayDeque<Pending<T>> line = lines.next();
            Pending<T> head = line.peekFirst();
            line.removeIf(p -> condition.test(p.request) && removed.add(p));
            if (line.peekFirst() != head) {
                quietAtRelease = -1;
                heads.remove(head);
                if (!line.isEmpty()) {
                    heads.add(line.peekFirst());
                } else if (head != null) {
                    cluster.lineChanged(head.request.model(), false);
                }
            }
            if (line.isEmpty()) {
                lines.remove(); // idle models' lines go here, off the dispatch path (e.g. removed functions)
            }
        }
        queued -= removed.size();
        return oldestFirst(removed);
    }

    /** The waiting requests, oldest first: what a checkpoint must keep. */
    public List<Request<T>> pending() {
        List<Pending<T>> all = new ArrayList<>(queued);
        waiting.values().forEach(all::addAll);
        return oldestFirst(all);
    }

    /**
     * The models of at most {@code most} waiting requests, a model's in its line's order (the lines
     * in no particular order): what a replay of the recent past starts with, without sorting the queue.
     */
    public List<String> waitingModels(int most) {
        List<String> models = new ArrayList<>(Math.min(most, queued));
        for (Map.Entry<String, ArrayDeque<Pending<T>>> line : waiting.entrySet()) {
            for (int k = line.getValue().size(); k > 0 && models.size() < most; k--) {
                models.add(line.getKey());
            }
        }
        return models;
    }

    private static <T> List<Request<T>> oldestFirst(List<Pending<T>> pending) {
        pending.sort(Comparator.comparingLong(p -> p.seq));
        List<Request<T>> out = new ArrayList<>(pending.size());
        pending.forEach(p -> out.add(p.request));
        return out;
    }

    /** A slot of {@code worker} running {@code model} is free again. */
    public void complete(int worker, String model) {
        workers.get(worker).complete(model);
    }

    /** Assigns as many queued invocations as free slots and the policy allow. */
    public List<Assignment<T>> dispatch(double nowMs) {
        List<Assignment<T>> out = new ArrayList<>();
        if (quietAtRelease == cluster.releases() && quietKey == policy.refusalKey(cluster)) {
            return out; // nothing a dispatch looks at changed since the last found nothing to start
        }
        quietAtRelease = -1;
        boolean progress = true;
        while (progress && !heads.isEmpty() && anyFreeSlot()) {
            progress = false;
            boolean allStand = true;
            int index = 0;
            // The worker the oldest waits for once it may be overtaken no more: nothing else starts
            // there, so what it waits for (a slot, room) comes free (see overtakenEnough).
            int reserved = -1;
            for (Iterator<Pending<T>> it = heads.iterator(); it.hasNext() && index < window; index++) {
                Pending<T> p = it.next();
                OptionalInt choice = ask(p, nowMs);
                // A refusal within limits stands too, but the quiet end below does not watch the
                // lines or the clock: it needs refusals that hold whatever they do.
                allStand &= choice.isEmpty() && p.refusedAtRelease == cluster.releases() && p.refusalUnlimited();
                if (choice.isPresent() && choice.getAsInt() == reserved) {
                    allStand = false; // held back for the oldest, not refused: the quiet end must not keep it
                    continue;
                }
                if (choice.isPresent() && withinMaxCopies(p.request.model(), workers.get(choice.getAsInt()))) {
                    it.remove();
                    bypassEarlier(index, choice.getAsInt(), p.request.execCostMs());
                    nextOf(p);
                    Assignment<T> a = workers.get(choice.getAsInt()).start(p.request, nowMs);
                    out.add(a);
                    if (a.load()) {
                        keepMinimumCopies(a.model());
                    }
                    progress = true;
                    break;
                }
                if (!policy.outOfOrder()) {
                    break;
                }
                if (index == 0 && overtakenEnough(p)) {
                    if (p.awaitedWorker < 0) {
                        break; // it names no worker: nothing may start anywhere until it does
                    }
                    reserved = p.awaitedWorker;
                }
            }
            if (!progress && allStand) {
                quietAtRelease = cluster.releases();
                quietKey = policy.refusalKey(cluster);
            }
        }
        return out;
    }

    /** The policy's choice for {@code p}, or its standing refusal without asking again. */
    private OptionalInt ask(Pending<T> p, double nowMs) {
        if (p.refusalUnreleased(cluster) && p.refusalKey == policy.refusalKey(cluster)
                && p.line.size() <= p.lineAtMost && queued >= p.queuedAtLeast && nowMs < p.untilMs) {
            return OptionalInt.empty();
        }
        OptionalInt choice = policy.choose(p.request, cluster, nowMs);
        p.awaitedWorker = choice.isEmpty() ? policy.awaitedWorker() : -1;
        if (choice.isEmpty() && policy.refusalAwaitsRelease()) {
            p.refusedAtRelease = cluster.releases();
            p.refusalKey = policy.refusalKey(cluster);
            p.lineAtMost = policy.refusalStandsWhileLineAtMost();
            p.queuedAtLeast = policy.refusalStandsWhileQueuedAtLeast();
            p.untilMs = policy.refusalStandsUntilMs();
            p.watched = policy.watchRefusal(p.request, cluster, p);
            p.wakesAtRefusal = p.wakes;
        } else {
            p.refusedAtRelease = -1;
        }
        return choice;
    }

    /** {@code dispatched} left its model's line: the next of that model becomes a candidate. */
    private void nextOf(Pending<T> dispatched) {
        ArrayDeque<Pending<T>> line = waiting.get(dispatched.request.model());
        line.pollFirst();
        queued--;
        quietAtRelease = -1;
        // An empty line stays for the model's next invocation: no allocation per dispatch.
        if (!line.isEmpty()) {
            heads.add(line.peekFirst());
        } else {
            cluster.lineChanged(dispatched.request.model(), false);
        }
    }

    /** A new copy is allowed only below the function's maximum; its holders can always run it. */
    private boolean withinMaxCopies(String model, WorkerView target) {
        int max = copyLimits.max(model);
        return max <= 0 || target.cache().isReady(model) || copies(model) < max;
    }

    /** The first {@code min} copies of a model are kept: the router plans no eviction of them. */
    public void keepMinimumCopies(String model) {
        int min = copyLimits.min(model);
        if (min <= 0) {
            return;
        }
        java.util.BitSet holders = cluster.holders(model);
        int kept = 0;
        for (int i = holders.nextSetBit(0); i >= 0; i = holders.nextSetBit(i + 1)) {
            if (workers.get(i).isKept(model)) {
                kept++;
            }
        }
        for (int i = holders.nextSetBit(0); i >= 0 && kept < min; i = holders.nextSetBit(i + 1)) {
            if (!workers.get(i).isKept(model)) {
                workers.get(i).keep(model);
                kept++;
            }
        }
    }

    /**
     * The candidates ahead of the one dispatched at {@code index} to {@code worker} have been
     * overtaken once more, unless one waits for another worker ({@link RoutingPolicy#awaitedWorker}):
     * a start elsewhere takes nothing it waits for. Counting every overtake stalled the whole queue
     * in a burst: a hot model's hits, all on other workers, overtook an invocation waiting for room
     * at its place 64 times in a fifth of a second, and then nothing was dispatched anywhere for
     * 1.8 s (a 4-GPU pool of the rare-functions trace, where ours' mean was 5x round-robin's).
     *
     * <p>One that waits for {@code worker} has also been overtaken by {@code overtakerExecMs} of
     * expected run time there. Work is counted only there: counted anywhere in the pool, it ended
     * the overtaking of invocations that wait for no named worker within a few dispatches, and
     * ect-o3 and lalb-o3, which name none, fell behind (on the shared grid ect-o3's geometric-mean
     * ratio of its mean to the best rose from 7.07 to 8.72).
     */
    private void bypassEarlier(int index, int worker, double overtakerExecMs) {
        int i = 0;
        for (Pending<T> p : heads) {
            if (i++ >= index) {
                break;
            }
            if (p.awaitedWorker == worker) {
                p.bypassed++;
                p.overtakenByMs += overtakerExecMs;
            } else if (p.awaitedWorker < 0) {
                p.bypassed++;
            }
        }
    }

    /**
     * Whether nothing may overtake {@code p} any more at the worker it waits for (anywhere, when it
     * names none): it has been overtaken {@code maxBypass}
     * times, or, at the worker it waits for, by {@code maxOvertakenWork} times its own expected
     * load and run. The count alone let a cheap model wait minutes behind an expensive one: in a
     * 35-function cell of 4 GPUs x 2.5 GiB (the generated {@code rare-s1} trace, u = 0.6), an 8 s
     * model of 2.4 GB overtook a 3 ms one at the worker it waited for, and 64 overtakes there are
     * minutes. The 3 ms model's
     * mean wait was 12.9 s and its longest 274 s; with the bound at 4, 1.8 s and 35 s (ours' mean /
     * p99 15.8 / 190 s -> 10.0 / 42 s; round-robin's 10.2 / 46 s).
     *
     * <p>Past the bound only the worker it waits for is kept for it. Nothing started anywhere once,
     * and in a tuning cell ({@code rare-s103}, start 0, 100 functions on 4 x 2.5 GiB, u = 0.95, in a
     * scratch build that loaded more often beside a worker's other loads) the oldest, a 554 MB model
     * called once, waited for room behind a 2.4 GB model's load and run. All four workers then took
     * almost nothing for 1.6 s, two of them idle with nothing queued; ours' mean there was 1,345 ms,
     * 786 with the reservation. Starts elsewhere take no slot or memory of the worker it waits for,
     * which is why they never counted against its bound either.
     */
    private boolean overtakenEnough(Pending<T> p) {
        return p.bypassed >= maxBypass || (p.awaitedWorker >= 0
                && p.overtakenByMs >= maxOvertakenWork * (p.request.loadCostMs() + p.request.execCostMs()));
    }

    /**
     * Whether the oldest waiting invocation could start now on some worker with a free slot: its
     * model is resident there, or fits by evicting what is not in use, within its copy limit.
     * Work-conserving policies never leave this true after dispatching (checked by the liveness test).
     */
    boolean oldestPlaceableNow() {
        if (heads.isEmpty()) {
            return false;
        }
        Request<T> r = heads.first().request;
        for (WorkerView w : workers) {
            if (w.hasFreeSlot() && w.evictionCost(r.model(), r.bytes()) >= 0 && withinMaxCopies(r.model(), w)) {
                return true;
            }
        }
        return false;
    }

    private boolean anyFreeSlot() {
        return cluster.anyFree();
    }
}
