package io.gpufaas.operators.metrics;

import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;

/**
 * A Flink counter that reads a count kept elsewhere (the worker's cache), so a metric reporter
 * sees a monotonic counter while the count itself is kept once.
 */
public final class CountOf implements Counter {

    private final LongSupplier count;

    public CountOf(LongSupplier count) {
        this.count = count;
    }

    @Override
    public void inc() {
        throw readOnly();
    }

    @Override
    public void inc(long n) {
        throw readOnly();
    }

    @Override
    public void dec() {
        throw readOnly();
    }

    @Override
    public void dec(long n) {
        throw readOnly();
    }

    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("read-only: the count is kept by its owner");
    }

    @Override
    public long getCount() {
        return count.getAsLong();
    }
}
