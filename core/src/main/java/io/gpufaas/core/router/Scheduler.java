package io.gpufaas.core.router;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The router's global queue: invocations wait here until a policy sends each to a worker with a
 * free slot, with the plan the worker executes (evict, load, run). The router's view of every
 * worker is exact because it makes every placement and eviction itself; completions free slots.
 *
 * <p>Out-of-order dispatch, for policies that ask for it: while the oldest invocation waits (its
 * holder is busy), later ones may be dispatched, at most {@code maxBypass} times past any one
 * invocation, looking at most {@code window} invocations deep. Plain Java, one caller at a time:
 * the Flink router operator and the simulator drive the same class.
 */
public final class Scheduler<T> {

    private static final class Pending<T> {
        final Request<T> request;
        int bypassed;

        Pending(Request<T> request) {
            this.request = request;
        }
    }

    private final RoutingPolicy policy;
    private final List<WorkerView> workers;
    private final Cluster cluster;
    private final int maxBypass;
    private final int window;
    private final LinkedList<Pending<T>> queue = new LinkedList<>();
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

    public Scheduler(RoutingPolicy policy, List<WorkerView> workers, int maxBypass, int window) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.workers = List.copyOf(workers);
        this.cluster = new Cluster(this.workers);
        if (this.workers.isEmpty() || maxBypass < 0 || window < 1) {
            throw new IllegalArgumentException("need workers, maxBypass >= 0 and window >= 1");
        }
        this.maxBypass = maxBypass;
        this.window = window;
    }

    public RoutingPolicy policy() {
        return policy;
    }

    public List<WorkerView> workers() {
        return workers;
    }

    public int queued() {
        return queue.size();
    }

    public void submit(Request<T> request) {
        queue.add(new Pending<>(request));
    }

    /** Removes and returns the waiting requests that match, oldest first (e.g. past their deadline). */
    public List<Request<T>> removeIf(java.util.function.Predicate<Request<T>> condition) {
        List<Request<T>> removed = new ArrayList<>();
        for (Iterator<Pending<T>> it = queue.iterator(); it.hasNext(); ) {
            Pending<T> p = it.next();
            if (condition.test(p.request)) {
                removed.add(p.request);
                it.remove();
            }
        }
        return removed;
    }

    /** The waiting requests, oldest first: what a checkpoint must keep. */
    public List<Request<T>> pending() {
        List<Request<T>> out = new ArrayList<>(queue.size());
        queue.forEach(p -> out.add(p.request));
        return out;
    }

    /** A slot of {@code worker} running {@code model} is free again. */
    public void complete(int worker, String model) {
        workers.get(worker).complete(model);
    }

    /** Assigns as many queued invocations as free slots and the policy allow. */
    public List<Assignment<T>> dispatch(double nowMs) {
        List<Assignment<T>> out = new ArrayList<>();
        boolean progress = true;
        while (progress && !queue.isEmpty() && anyFreeSlot()) {
            progress = false;
            int index = 0;
            for (Iterator<Pending<T>> it = queue.iterator(); it.hasNext() && index < window; index++) {
                Pending<T> p = it.next();
                OptionalInt choice = policy.choose(p.request, cluster, nowMs);
                if (choice.isPresent() && withinMaxCopies(p.request.model(), workers.get(choice.getAsInt()))) {
                    it.remove();
                    Assignment<T> a = workers.get(choice.getAsInt()).start(p.request, nowMs);
                    out.add(a);
                    if (a.load()) {
                        keepMinimumCopies(a.model());
                    }
                    bypassEarlier(index);
                    progress = true;
                    break;
                }
                if (!policy.outOfOrder() || (index == 0 && p.bypassed >= maxBypass)) {
                    break;
                }
            }
        }
        return out;
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

    private void bypassEarlier(int index) {
        int i = 0;
        for (Pending<T> p : queue) {
            if (i++ >= index) {
                break;
            }
            p.bypassed++;
        }
    }

    private boolean anyFreeSlot() {
        return cluster.anyFree();
    }
}
