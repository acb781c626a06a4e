package io.gpufaas.operators.metrics;

import java.util.function.LongSupplier;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.View;

/**
 * How much a count grew over the last minute, as a gauge a person reads without a query language.
 * Flink's view updater samples it every {@link View#UPDATE_INTERVAL_SECONDS} seconds; until a
 * minute has passed it scales what it has seen to a minute.
 */
public final class PerMinute implements Gauge<Double>, View {

    private static final int SAMPLES = 60 / UPDATE_INTERVAL_SECONDS + 1;

    private final LongSupplier count;
    private final long[] ring = new long[SAMPLES];
    private int taken;

    public PerMinute(LongSupplier count) {
        this.count = count;
    }

    @Override
    public synchronized void update() {
        ring[taken % SAMPLES] = count.getAsLong();
        taken++;
    }

    @Override
    public synchronized Double getValue() {
        if (taken < 2) {
            return 0.0;
        }
        int span = Math.min(taken, SAMPLES) - 1;
        long newest = ring[(taken - 1) % SAMPLES];
        long oldest = ring[(taken - 1 - span) % SAMPLES];
        return (newest - oldest) * 60.0 / (span * UPDATE_INTERVAL_SECONDS);
    }
}
