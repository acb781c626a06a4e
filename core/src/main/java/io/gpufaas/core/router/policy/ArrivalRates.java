package io.gpufaas.core.router.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * Each model's recent arrival rate: its arrivals counted with exponential decay over a time
 * constant, so a burst shows within about that long and is forgotten as fast once it ends. One
 * number and a time per model; nothing is kept per arrival.
 */
final class ArrivalRates {

    /** Models tracked before every count is dropped and counting starts again: rates then read low for a few time constants. */
    static final int MAX_MODELS = 65_536;

    private final double timeConstantMs;
    /** Per model: the decayed count and when it was last brought up to date. */
    private final Map<String, double[]> counts = new HashMap<>();

    ArrivalRates(double timeConstantMs) {
        if (!(timeConstantMs > 0) || Double.isInfinite(timeConstantMs)) {
            throw new IllegalArgumentException("the time constant must be positive and finite, was " + timeConstantMs);
        }
        this.timeConstantMs = timeConstantMs;
    }

    /** One invocation of {@code model} arrived at {@code atMs}. An arrival older than the last one counts, decayed by its age. */
    void arrived(String model, double atMs) {
        double[] c = counts.get(model);
        if (c == null) {
            if (counts.size() >= MAX_MODELS) {
                counts.clear();
            }
            counts.put(model, new double[] {1, atMs});
            return;
        }
        if (atMs >= c[1]) {
            c[0] = c[0] * decay(atMs - c[1]) + 1;
            c[1] = atMs;
        } else {
            c[0] += decay(c[1] - atMs);
        }
    }

    /**
     * Arrivals of {@code model} per millisecond around {@code nowMs}: the decayed count over the
     * time constant. A steady rate r reads r once it has lasted a few time constants.
     */
    double perMs(String model, double nowMs) {
        double[] c = counts.get(model);
        return c == null ? 0 : c[0] * decay(Math.max(0, nowMs - c[1])) / timeConstantMs;
    }

    private double decay(double elapsedMs) {
        return Math.exp(-elapsedMs / timeConstantMs);
    }
}
