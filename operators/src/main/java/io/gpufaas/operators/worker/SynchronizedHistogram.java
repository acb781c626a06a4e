package io.gpufaas.operators.worker;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;

/** Flink's histograms are not thread-safe; the worker updates them from its load and execution threads. */
final class SynchronizedHistogram implements Histogram {

    private final Histogram delegate;

    SynchronizedHistogram(Histogram delegate) {
        this.delegate = delegate;
    }

    @Override
    public synchronized void update(long value) {
        delegate.update(value);
    }

    @Override
    public synchronized long getCount() {
        return delegate.getCount();
    }

    @Override
    public synchronized HistogramStatistics getStatistics() {
        return delegate.getStatistics();
    }
}
