package io.gpufaas.core.router;

/**
 * How many invocations the router lets one worker hold (its credits), adapted to what the worker
 * and the feedback path do, TCP Vegas style. A report's round trip (dispatch to report) is the
 * worker's service plus the path's delay; the smallest seen is the path with nothing queued. With
 * {@code c} credits and a smoothed round trip {@code rtt}, {@code c x (1 - base / rtt)}
 * invocations sit queued at the worker beyond what the path needs. Fewer than
 * {@link #LOW_QUEUE} means the credits, not the worker, limit throughput (echo on a fast worker:
 * the round trip is all transport): one more. More than {@link #HIGH_QUEUE} means work waits at the
 * worker that the router could still place elsewhere (a GPU busy with long runs): one fewer. A
 * worker whose runs dominate the round trip thus stays near the configured minimum, and placement
 * is as before; a fast worker gets as many as its round trip needs, up to the maximum.
 */
final class Credits {

    /** Queued at the worker beyond the path: below this, credits limit throughput. */
    static final double LOW_QUEUE = 1;
    /** Queued at the worker beyond the path: above this, the router should keep the work. */
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

    /** A report of {@code worker} came back {@code roundTripMs} after its dispatch; returns its credits now. */
    int observe(int worker, double roundTripMs, int credits) {
        if (!adaptive() || Double.isNaN(roundTripMs) || roundTripMs < 0) {
            return credits;
        }
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
