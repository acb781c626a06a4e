package io.gpufaas.core.router.policy;

import java.util.OptionalInt;

/**
 * Where the router sends one waiting invocation, given every worker's state: a worker with a
 * free slot, or none (the invocation keeps waiting in the router's queue). One small interface,
 * one policy per class, chosen by name ({@link PolicyName}).
 */
public interface RoutingPolicy {

    String name();

    /**
     * A worker with a free slot for {@code request}, or empty to keep it queued.
     *
     * @param nowMs the router's clock, for expected waits
     */
    OptionalInt choose(Request<?> request, Cluster cluster, double nowMs);

    /**
     * An invocation of {@code model} entered the router's queue at {@code atMs} (the router's
     * clock): for a policy that weighs a model's recent demand. Called once per invocation, before
     * it is first offered to {@link #choose}. The default ignores it.
     */
    default void arrived(String model, double atMs) {}

    /**
     * Whether invocations behind one that must wait may be dispatched first (out-of-order
     * dispatch). The scheduler bounds how often one invocation may be overtaken.
     */
    default boolean outOfOrder() {
        return false;
    }

    /**
     * Whether the refusal {@link #choose} just gave (an empty answer) stands until a worker
     * releases something ({@link Cluster#releases}: a slot freed or granted, a model loaded or
     * dropped) or {@link #refusalKey} changes, whatever else starts, however time passes and
     * however many more invocations arrive (of its model too: such a refusal must not weigh the
     * lines, unless it bounds them with {@link #refusalStandsWhileLineAtMost} and
     * {@link #refusalStandsWhileQueuedAtLeast}; {@code StandingRefusalTest} checks this under random
     * traffic). A
     * scheduler then need not ask again for that request after every other start: at fleet scale
     * most waiting requests wait for one busy worker, and asking each again after every dispatch
     * was most of the routing work. False (the default) asks again every time.
     */
    default boolean refusalAwaitsRelease() {
        return false;
    }

    /**
     * After a refusal: the one worker the request waits for, when only work started there can
     * prolong its wait (its place, short of a slot or of room that work there pins); -1 (the
     * default) when it waits for several or the policy does not say. The scheduler's out-of-order
     * bound counts an overtake only when the overtaker starts on that worker.
     */
    default int awaitedWorker() {
        return -1;
    }

    /**
     * After a refusal that awaits a release: it stands only while its model's line (the request
     * included) holds at most this many invocations. The default, {@code Integer.MAX_VALUE}: however
     * many. For a refusal that holds because the line is short.
     */
    default int refusalStandsWhileLineAtMost() {
        return Integer.MAX_VALUE;
    }

    /**
     * After a refusal that awaits a release: it stands only while the router's queue (the request
     * included) holds at least this many invocations. The default, 0: however few. For a refusal
     * that holds because the line is a small share of the queue.
     */
    default int refusalStandsWhileQueuedAtLeast() {
        return 0;
    }

    /**
     * After a refusal that awaits a release: it stands only while the router's clock is before
     * this. The default: for ever. For a refusal that holds because the request is young.
     */
    default double refusalStandsUntilMs() {
        return Double.POSITIVE_INFINITY;
    }

    /**
     * After a refusal that awaits a release: registers {@code watcher} for the releases that can
     * lift it ({@link Cluster#watchWorker}, {@link Cluster#watchModel}, {@link Cluster#watchIdle})
     * and returns true; then only those end it, not a release anywhere. False (the default)
     * registers nothing: any release ends it. At fleet scale a release comes with nearly every
     * completion, and asking every waiting request again after each was most of the routing work.
     */
    default boolean watchRefusal(Request<?> request, Cluster cluster, Cluster.Watcher watcher) {
        return false;
    }

    /** What else a standing refusal depends on (e.g. a load bound), compared for equality; see {@link #refusalAwaitsRelease}. */
    default long refusalKey(Cluster cluster) {
        return 0;
    }
}
