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
        throw new UnsupportedOperationException("read-only: the count is kept by its owner");
    }

    @Override
    public void inc(long n) {
        throw new UnsupportedOperationException("read-only: the count is kept by its owner");
    }

    @Override
    public void dec() {
        throw new UnsupportedOperationException("read-only: the count is kept by its owner");
    }

    @Override
    public void dec(long n) {
        throw new UnsupportedOperationException("read-only: the count is kept by its owner");
    }

    @Override
    public long getCount() {
        return count.getAsLong();
    }
}
