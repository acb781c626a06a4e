package io.gpufaas.core.cache;

/**
 * What the cache knows about one model on its device. Mutable, owned by {@link ModelCache}; the
 * policies read it to rank eviction candidates.
 */
public final class CacheEntry {

    /** Where the model is in its life on the device. */
    public enum State {
        /** Space is reserved and the load is under way; not evictable, not runnable. */
        LOADING,
        /** Resident and runnable. */
        READY
    }

    private final String model;
    private long bytes;
    private State state;
    private long frequency;
    private long lastAccess;
    private double loadCost;
    private double priority;
    /** Whether invocations are queued for this model: its place in the eviction order, kept here so ordering reads a field. */
    private boolean waitedFor;
    /** Its neighbours in a {@link RecencyEvictionOrder} (both null when it is first and last, or not in it). */
    CacheEntry earlier;
    CacheEntry later;
    /** Its model's counts in the cache that owns it: what an eviction plan reads of each candidate, without a lookup. */
    ModelCache.Slot slot;

    CacheEntry(String model, long bytes, State state, double loadCost) {
        this.model = model;
        this.bytes = bytes;
        this.state = state;
        this.loadCost = loadCost;
    }

    public String model() {
        return model;
    }

    /** Bytes accounted on the device: the reservation while loading, the measured footprint after. */
    public long bytes() {
        return bytes;
    }

    public State state() {
        return state;
    }

    /** Accesses since the model became resident (or restored statistics). */
    public long frequency() {
        return frequency;
    }

    /** Logical time of the last access. */
    public long lastAccess() {
        return lastAccess;
    }

    /** Cost of loading the model again, in milliseconds (measured, or estimated from its size). */
    public double loadCost() {
        return loadCost;
    }

    /** The eviction policy's rank: the lowest is evicted first. */
    public double priority() {
        return priority;
    }

    void bytes(long bytes) {
        this.bytes = bytes;
    }

    void state(State state) {
        this.state = state;
    }

    void touch(long clock) {
        frequency++;
        lastAccess = clock;
    }

    void restoreStatistics(long frequency, long lastAccess) {
        this.frequency = frequency;
        this.lastAccess = lastAccess;
    }

    void loadCost(double loadCost) {
        this.loadCost = loadCost;
    }

    boolean waitedFor() {
        return waitedFor;
    }

    void waitedFor(boolean waitedFor) {
        this.waitedFor = waitedFor;
    }

    void priority(double priority) {
        this.priority = priority;
    }

    @Override
    public String toString() {
        return model + "[" + state + ", " + bytes + " B, freq=" + frequency
                + ", last=" + lastAccess + ", prio=" + priority + "]";
    }
}
