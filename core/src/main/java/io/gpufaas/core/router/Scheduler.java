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
        /** Its place in the order of candidates when a pass last asked it: valid while it is among those walked. */
        int walkIndex;
        /** Whether it is its line's oldest, a candidate: only a candidate's wake can change a dispatch. */
        boolean head;
        /** Counts the wakes of every candidate: see {@link Scheduler#quiet}. */
        private final WakeCount headWakes;

        Pending(Request<T> request, long seq, ArrayDeque<Pending<T>> line, WakeCount headWakes) {
            this.request = request;
            this.seq = seq;
            this.line = line;
            this.headWakes = headWakes;
        }

        @Override
        public void wake() {
            wakes++;
            if (head) {
                headWakes.count++;
            }
        }

        /** Whether nothing that can end its standing refusal has happened since. */
        boolean refusalUnreleased(Cluster cluster) {
            return refusedAtRelease >= 0 && (watched ? wakes == wakesAtRefusal : refusedAtRelease == cluster.releases());
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
    /** The wakes of candidates so far. */
    private final WakeCount headWakes = new WakeCount();
    private long nextSeq;
    private int queued;
    /**
     * Whether the last dispatch ended with nothing to start although slots were free, every
     * candidate it looked at standing by a refusal that awaits a release. Until something that
     * could end one of those refusals happens (see {@link #stillQuiet}), or the candidates a
     * dispatch looks at change, another dispatch would find each refusal standing again and end
     * the same way, so it returns at once.
     *
     * <p>What ends them is recorded with it. A refusal that watches its releases
     * ({@link RoutingPolicy#watchRefusal}) ends only when woken, so a quiet end of watched
     * refusals alone outlasts releases elsewhere. Ending it at any release, as before, made it rare
     * at fleet scale, where nearly every completion is one: on the generated timer day at u = 0.95
     * this cut ours' checks of standing refusals from 51 M to 19 M per run.
     */
    private boolean quiet;
    private long quietKey;
    /** {@link #headWakes} then. */
    private long quietWakes;
    /** The cluster's releases then, or -1 where every refusal it rests on watches its releases. */
    private long quietReleases;
    /** The limits its refusals hold within: the most queued one needs, the earliest one ends. */
    private int quietQueuedAtLeast;
    private double quietUntilMs;
    private CopyLimits copyLimits = CopyLimits.NONE;
    /**
     * The work dispatches did, counted: asks of the policy, and asks a kept refusal answered
     * instead. CPU time on a shared machine varies by up to 2x between runs of the same code;
     * these do not.
     */
    private long decisions;
    private long keptRefusals;

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

    /** How many times dispatches have asked the policy for a placement. */
    public long decisions() {
        return decisions;
    }

    /** How many times dispatches have found a candidate's kept refusal standing, and not asked the policy. */
    public long keptRefusals() {
        return keptRefusals;
    }

    /** Queues {@code request}, seen at its own arrival time. */
    public void submit(Request<T> request) {
        submit(request, request.arrivedMs());
    }

    /** Queues {@code request}, which the router saw at {@code seenAtMs} on its clock (what the policy's rates count in). */
    public void submit(Request<T> request, double seenAtMs) {
        policy.arrived(request.model(), seenAtMs);
        ArrayDeque<Pending<T>> line = waiting.computeIfAbsent(request.model(), m -> new ArrayDeque<>());
        Pending<T> p = new Pending<>(request, nextSeq++, line, headWakes);
        line.add(p);
        if (line.size() == 1) {
            addHead(p);
            cluster.lineChanged(request.model(), true);
            if (heads.size() <= window) {
                quiet = false; // a new candidate a dispatch would ask (the youngest: the last head)
            }
        } else if (line.peekFirst().refusedAtRelease >= 0 && line.size() > line.peekFirst().lineAtMost) {
            quiet = false; // its line outgrew what its head's refusal holds within
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
                quiet = false;
                heads.remove(head);
                head.head = false;
                if (!line.isEmpty()) {
                    addHead(line.peekFirst());
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
        out = new ArrayList<>();
        if (stillQuiet(nowMs)) {
            return out; // nothing a dispatch looks at changed since the last found nothing to start
        }
        quiet = false;
        walked = 0;
        boolean progress = true;
        while (progress && !heads.isEmpty() && anyFreeSlot()) {
            progress = pass(nowMs);
        }
        return out;
    }

    /** What a dispatch pass does after asking one candidate. */
    private enum Step { NEXT, STARTED, STOP }

    // A dispatch walks the candidates, oldest first, in passes: each pass ends at a start, and the
    // next walks again. Every pass began at the oldest: on the generated timer day at u = 0.95 ours'
    // passes asked about sixty candidates each, mostly standing refusals asked again after every
    // start (19 M checks per run; 1.9 M with this). A pass now keeps what it walked before the one
    // it started: the next pass asks again only those whose refusals did not stand, at the places
    // they had, and goes on after the last, while nothing has happened that could end one of the
    // refusals it skips (see resumable).
    /** The current dispatch's starts. */
    private List<Assignment<T>> out;
    /** The candidates walked before the last start: how many, and the last of them. */
    private int walked;
    private Pending<T> lastWalked;
    /** Those of them whose refusals did not stand, in order. */
    private List<Pending<T>> reask = new ArrayList<>();
    private List<Pending<T>> reasking = new ArrayList<>();
    /** What ends the refusals that stood among them: see {@link #stillQuiet}. */
    private boolean unwatched;
    private int queuedAtLeast;
    private double untilMs;
    private long wakesAtPass;
    private long releasesAtPass;
    private long keyAtPass;
    /** This pass: whether every refusal it met stood, and the worker kept for the oldest. */
    private boolean allStand;
    private int reserved;

    /** One walk over the candidates; true if it started one. */
    private boolean pass(double nowMs) {
        boolean resume = walked > 0 && resumable();
        // Two lists in turn: on a resume the last pass's list of those to ask again is this pass's
        // again, and this pass fills the other.
        List<Pending<T>> again = reasking;
        again.clear();
        if (resume) {
            reasking = reask;
            reask = again;
            again = reasking;
        } else {
            walked = 0;
            lastWalked = null;
            unwatched = false;
            queuedAtLeast = 0;
            untilMs = Double.POSITIVE_INFINITY;
        }
        reask.clear();
        wakesAtPass = headWakes.count;
        releasesAtPass = cluster.releases();
        keyAtPass = policy.refusalKey(cluster);
        allStand = true;
        // The worker the oldest waits for once it may be overtaken no more: nothing else starts
        // there, so what it waits for (a slot, room) comes free (see overtakenEnough). The oldest
        // sets it when asked; when its refusal stands and is skipped, here.
        reserved = -1;
        Pending<T> oldest = heads.first();
        if (resume && (again.isEmpty() || again.get(0) != oldest) && overtakenEnough(oldest)) {
            reserved = oldest.awaitedWorker;
        }
        for (Pending<T> p : again) {
            Step step = walk(p, p.walkIndex, nowMs);
            if (step == Step.STARTED) {
                return true;
            }
            if (step == Step.STOP) {
                return false;
            }
        }
        Iterator<Pending<T>> it = lastWalked == null ? heads.iterator() : heads.tailSet(lastWalked, false).iterator();
        for (int index = walked; it.hasNext() && index < window; index++) {
            Step step = walk(it.next(), index, nowMs);
            if (step == Step.STARTED) {
                return true;
            }
            if (step == Step.STOP) {
                return false;
            }
        }
        if (allStand) {
            quiet = true;
            quietKey = policy.refusalKey(cluster);
            quietWakes = headWakes.count;
            quietReleases = unwatched ? cluster.releases() : -1;
            quietQueuedAtLeast = queuedAtLeast;
            quietUntilMs = untilMs;
        }
        return false;
    }

    /** Asks candidate {@code p}, at {@code index} in the order of candidates, and starts it where the policy sends it. */
    private Step walk(Pending<T> p, int index, double nowMs) {
        boolean kept = refusalStands(p, nowMs);
        if (kept) {
            keptRefusals++;
        }
        OptionalInt choice = kept ? OptionalInt.empty() : ask(p, nowMs);
        // A refusal that crossed a limit as it was made (its line already longer) stands not.
        boolean stands = kept || (choice.isEmpty() && refusalStands(p, nowMs));
        allStand &= stands;
        if (choice.isPresent() && choice.getAsInt() != reserved
                && withinMaxCopies(p.request.model(), workers.get(choice.getAsInt()))) {
            start(p, index, choice.getAsInt(), nowMs);
            return Step.STARTED;
        }
        // Held back for the oldest, over its copy limit, or refused: walked.
        p.walkIndex = index;
        if (stands) {
            unwatched |= !p.watched;
            queuedAtLeast = Math.max(queuedAtLeast, p.queuedAtLeast);
            untilMs = Math.min(untilMs, p.untilMs);
        } else {
            reask.add(p);
        }
        if (index >= walked) {
            walked = index + 1;
            lastWalked = p;
        }
        if (!policy.outOfOrder()) {
            return Step.STOP;
        }
        if (index == 0 && overtakenEnough(p)) {
            if (p.awaitedWorker < 0) {
                return Step.STOP; // it names no worker: nothing may start anywhere until it does
            }
            reserved = p.awaitedWorker;
        }
        return Step.NEXT;
    }

    private void start(Pending<T> p, int index, int worker, double nowMs) {
        if (index < walked) {
            // One asked again: what was walked ends before it. Limits noted for skipped ones
            // after it stay, which only makes the next pass less likely to skip.
            walked = index;
            lastWalked = heads.lower(p);
        }
        heads.remove(p);
        p.head = false;
        bypassEarlier(index, worker, p.request.execCostMs());
        nextOf(p);
        Assignment<T> a = workers.get(worker).start(p.request, nowMs);
        out.add(a);
        if (a.load()) {
            keepMinimumCopies(a.model());
        }
    }

    /**
     * Whether the next pass may skip the candidates whose refusals stood in the last (where none
     * did, it walks from the oldest as if anew): no candidate was woken since it began, the
     * policy's key is the same, no release came if one of them does not watch its releases, and
     * the queue is still long enough for each. Their lines
     * are as they were (a start takes from its own line only) and the clock has not moved, so each
     * would stand again. Not when the oldest is skipped, may be overtaken no more and names no
     * worker: the walk ends at it, and only a walk from it says so.
     */
    private boolean resumable() {
        Pending<T> oldest = heads.first();
        boolean oldestSkipped = reask.isEmpty() || reask.get(0) != oldest;
        return reask.size() < walked && policy.outOfOrder() && headWakes.count == wakesAtPass && policy.refusalKey(cluster) == keyAtPass
                && (!unwatched || cluster.releases() == releasesAtPass) && queued >= queuedAtLeast
                && !(oldestSkipped && overtakenEnough(oldest) && oldest.awaitedWorker < 0);
    }

    /**
     * Whether the quiet end of the last dispatch still holds: no candidate was woken, the policy's
     * key is the same, no release came where a refusal it rests on does not watch its releases,
     * and the queue and the clock are within every one's limits. Each refusal asked then would
     * stand again ({@link #refusalStands}); what a line's growth ends is dropped in {@link #submit}.
     */
    private boolean stillQuiet(double nowMs) {
        return quiet && headWakes.count == quietWakes && quietKey == policy.refusalKey(cluster)
                && (quietReleases < 0 || quietReleases == cluster.releases()) && queued >= quietQueuedAtLeast
                && nowMs < quietUntilMs;
    }

    /** The policy's choice for {@code p}; a refusal it says awaits a release is kept, with what ends it. */
    private OptionalInt ask(Pending<T> p, double nowMs) {
        decisions++;
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

    /** Whether {@code p}'s refusal stands: nothing that could end it has happened, and it is within its limits. */
    private boolean refusalStands(Pending<T> p, double nowMs) {
        return p.refusalUnreleased(cluster) && p.refusalKey == policy.refusalKey(cluster)
                && p.line.size() <= p.lineAtMost && queued >= p.queuedAtLeast && nowMs < p.untilMs;
    }

    /** {@code dispatched} left its model's line: the next of that model becomes a candidate. */
    private void nextOf(Pending<T> dispatched) {
        ArrayDeque<Pending<T>> line = waiting.get(dispatched.request.model());
        line.pollFirst();
        queued--;
        quiet = false;
        // An empty line stays for the model's next invocation: no allocation per dispatch.
        if (!line.isEmpty()) {
            addHead(line.peekFirst());
        } else {
            cluster.lineChanged(dispatched.request.model(), false);
        }
    }

    private void addHead(Pending<T> p) {
        heads.add(p);
        p.head = true;
    }

    /** Wakes of candidates, counted: a quiet end stands only while there are none. */
    private static final class WakeCount {
        long count;
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
