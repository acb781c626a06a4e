package io.gpufaas.core.contract;

/**
 * Where an invocation's time went, in milliseconds.
 *
 * @param queuedMs from arrival until execution (or model load) started
 * @param loadMs loading the model onto the device; 0 on a cache hit
 * @param execMs running the function
 * @param endToEndMs from the Kafka record timestamp until the result was produced
 */
public record Timing(long queuedMs, long loadMs, long execMs, long endToEndMs) {

    public static Timing none() {
        return new Timing(0, 0, 0, 0);
    }

    /** An invocation that ended at {@code nowMs} without running: all its time was waiting. */
    public static Timing waitedOnly(Invocation inv, long nowMs) {
        long waited = Math.max(0, nowMs - inv.arrivedAtMs());
        return new Timing(waited, 0, 0, waited);
    }
}
