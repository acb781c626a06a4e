package io.gpufaas.core.time;

/**
 * Where the router and the worker runtime read the time: the wall clock in the job, simulated
 * time in the simulator and in tests. Epoch milliseconds; simulated time has fractions of one,
 * since a batch on a GPU takes a few.
 */
@FunctionalInterface
public interface Clock {

    double nowMs();

    /** The time in whole milliseconds. */
    default long millis() {
        return (long) Math.floor(nowMs());
    }

    static Clock system() {
        return System::currentTimeMillis;
    }
}
