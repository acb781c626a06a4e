package io.gpufaas.core.router;

/**
 * How many invocations the router lets one worker hold (its credits): opened while credits are
 * what limits a worker, closed while work queues there.
 *
 * <p>For a worker whose runs are long next to the report path (a GPU: its credits' worth of runs
 * take longer than the smallest round trip), the round trip decides, TCP Vegas style: its smallest
 * is the path with nothing queued, so with {@code c} credits and a smoothed round trip {@code rtt},
 * about {@code c x (1 - base / rtt)} invocations wait at the worker; under {@link #LOW_QUEUE} one
 * more, over {@link #HIGH_QUEUE} one fewer. Such a worker stays near the configured minimum and
 * placement is as with fixed slots (the scheduling grid is unchanged).
 *
 * <p>For a worker faster than its credits come back (echo), the round trip is mostly path, and a
 * path grows when the host is busy (a broker, a JIT, a client beside the job): read as queueing,
 * it closed credits to their floor while the machine was half idle and capped a burst of echo near
 * 2,000/s (issue 21). So for it the worker's own backlog decides, carried on every report: how long
 * the work queued there would keep its device busy, from its own run times
 * ({@code WorkerCore.backlogMs}), with no transport in it. Over {@link #HIGH_BACKLOG_MS}: work waits
 * that the router could still place, one fewer. Under {@link #LOW_BACKLOG_MS} while invocations wait
 * in the router: the worker ran dry because of its credits, one more.
 */
final class Credits {

    /** A worker's backlog under which it ran dry. */
    static final double LOW_BACKLOG_MS = 1;
    /** A worker's backlog over which the router should keep the work. */
    static final double HIGH_BACKLOG_MS = 5;
    /** Queued beyond the path, from round trips alone: below this, credits limit throughput. */
    static final double LOW_QUEUE = 1;
    /** Queued beyond the path, from round trips alone: above this, work waits at the worker. */
    static final double HIGH_QUEUE = 3;
    private static final double SMOOTHING = 0.2;

    private final int min;
    private final int max;
    private final double[] baseRttMs;
    private final double[] rttMs;

    Credits(int workers, int min, int max) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("credits need 1 <= min <= max, were " + min + " and " + max);
        }
        this.min = min;
        this.max = max;
        this.baseRttMs = new double[workers];
        this.rttMs = new double[workers];
        java.util.Arrays.fill(baseRttMs, Double.POSITIVE_INFINITY);
    }

    boolean adaptive() {
        return max > min;
    }

    /**
     * A report of {@code worker} came back {@code roundTripMs} after its dispatch, saying its
     * backlog is {@code backlogMs} (negative: unknown) and that its runs took {@code runMsPerInvocation}
     * each, while {@code routerWaiting} invocations waited in the router; returns its credits now.
     */
    int observe(int worker, double roundTripMs, double backlogMs, double runMsPerInvocation, int routerWaiting,
            int credits) {
        if (!adaptive() || Double.isNaN(roundTripMs) || roundTripMs < 0) {
            return credits;
        }
        int fromRoundTrips = fromRoundTrips(worker, roundTripMs, credits);
        boolean backlogKnown = !Double.isNaN(backlogMs) && backlogMs >= 0;
        // Its credits' worth of runs take less than the path with nothing queued (the smallest round trip).
        boolean fasterThanItsCredits = runMsPerInvocation * credits < baseRttMs[worker];
        if (!backlogKnown || !fasterThanItsCredits) {
            return fromRoundTrips;
        }
        if (backlogMs > HIGH_BACKLOG_MS) {
            return Math.max(min, credits - 1);
        }
        if (backlogMs < LOW_BACKLOG_MS && routerWaiting > 0) {
            return Math.min(max, credits + 1);
        }
        return credits;
    }

    /** The round trips' verdict (TCP Vegas style), kept current on every report. */
    private int fromRoundTrips(int worker, double roundTripMs, int credits) {
        double sample = Math.max(roundTripMs, 0.1);
        baseRttMs[worker] = Math.min(baseRttMs[worker], sample);
        rttMs[worker] = rttMs[worker] == 0 ? sample : (1 - SMOOTHING) * rttMs[worker] + SMOOTHING * sample;
        double queued = credits * (1 - baseRttMs[worker] / rttMs[worker]);
        if (queued < LOW_QUEUE) {
            return Math.min(max, credits + 1);
        }
        if (queued > HIGH_QUEUE) {
            return Math.max(min, credits - 1);
        }
        return credits;
    }
}
