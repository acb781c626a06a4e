package io.gpufaas.core.router;

/**
 * How many invocations the router lets one worker hold (its credits), opened while the worker
 * keeps up and closed while work queues there. The signal is the worker's own backlog (how long
 * what it has queued would keep its device busy, from its own run times), carried on each report:
 * nothing in it is transport, so a slow report path on a busy host does not read as queueing.
 *
 * <p>A backlog under {@link #LOW_BACKLOG_MS} means the worker ran out of work, or nearly: the
 * credits, not the device, limit throughput (echo on a fast worker), so one more. Over
 * {@link #HIGH_BACKLOG_MS} means work waits at the worker that the router could still place
 * elsewhere (a GPU busy with long runs), so one fewer. A worker whose runs take longer than that
 * stays at the configured minimum, and placement is as with fixed slots; a fast worker gets as
 * many as its round trip needs, up to the maximum.
 *
 * <p>An earlier version estimated the queue from the growth of the report round trip (TCP Vegas
 * style); on a busy 2-core machine the round trip grew from CPU contention alone, the estimate read
 * it as queueing, and credits fell to their floor while the machine was half idle (issue 21).
 */
final class Credits {

    /** Backlog below which the worker is underfed. */
    static final double LOW_BACKLOG_MS = 1;
    /** Backlog above which the router should keep the work. */
    static final double HIGH_BACKLOG_MS = 5;

    private final int min;
    private final int max;

    Credits(int min, int max) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("credits need 1 <= min <= max, were " + min + " and " + max);
        }
        this.min = min;
        this.max = max;
    }

    boolean adaptive() {
        return max > min;
    }

    /** A report said the worker's backlog is {@code backlogMs} (negative: unknown); returns its credits now. */
    int observe(double backlogMs, int credits) {
        if (!adaptive() || Double.isNaN(backlogMs) || backlogMs < 0) {
            return credits;
        }
        if (backlogMs < LOW_BACKLOG_MS) {
            return Math.min(max, credits + 1);
        }
        if (backlogMs > HIGH_BACKLOG_MS) {
            return Math.max(min, credits - 1);
        }
        return credits;
    }
}
