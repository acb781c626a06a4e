package io.gpufaas.core.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The models resident in one device's memory, accounted in bytes. Invariant: the bytes of all
 * entries (loading reservations included) never exceed the capacity, whatever the sequence of
 * calls. A model {@linkplain #pin pinned} by running invocations is never evicted. A model with
 * {@linkplain #enqueued queued} invocations is evicted only when no other choice makes room: a
 * hard pin for queued work could deadlock a worker whose oldest invocation needs that room.
 * Not thread-safe: one owner (a worker's dispatcher, or the simulator) calls it.
 */
public final class ModelCache {

    private final long capacity;
    private final EvictionPolicy policy;
    private final Map<String, CacheEntry> entries = new LinkedHashMap<>();
    private final Map<String, Integer> pins = new HashMap<>();
    private final Map<String, Integer> queued = new HashMap<>();
    /**
     * READY entries in eviction order: models nobody waits for first, then the policy's priority,
     * then the name. Kept sorted incrementally (remove, change, re-add) so choosing victims costs
     * O(victims + pinned skipped), not a sort per load.
     */
    private final java.util.TreeSet<CacheEntry> evictionOrder = new java.util.TreeSet<>(
            Comparator.comparingInt((CacheEntry e) -> e.waitedFor() ? 1 : 0)
                    .thenComparingDouble(CacheEntry::priority)
                    .thenComparing(CacheEntry::model));
    private long used;
    /** Bytes of READY entries, and of those pinned: evictable bytes in O(1). */
    private long readyBytes;
    private long pinnedReadyBytes;
    private long clock;
    private long hits;
    private long misses;
    private long evictions;
    private long bytesLoaded;
    private long loads;
    private long failedLoads;

    public ModelCache(long capacityBytes, EvictionPolicy policy) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("cache capacity must be positive, was " + capacityBytes);
        }
        this.capacity = capacityBytes;
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public long capacity() {
        return capacity;
    }

    public long usedBytes() {
        return used;
    }

    public long freeBytes() {
        return capacity - used;
    }

    public EvictionPolicy policy() {
        return policy;
    }

    public Optional<CacheEntry> entry(String model) {
        return Optional.ofNullable(entries.get(model));
    }

    public boolean isReady(String model) {
        CacheEntry e = entries.get(model);
        return e != null && e.state() == CacheEntry.State.READY;
    }

    public boolean isLoading(String model) {
        CacheEntry e = entries.get(model);
        return e != null && e.state() == CacheEntry.State.LOADING;
    }

    public Collection<CacheEntry> entries() {
        return java.util.Collections.unmodifiableCollection(entries.values());
    }

    public CacheStats stats() {
        return new CacheStats(hits, misses, evictions, bytesLoaded, loads, failedLoads);
    }

    /** Pins {@code model} for one running invocation: it cannot be evicted until unpinned. */
    public void pin(String model) {
        if (pins.merge(model, 1, Integer::sum) == 1 && isReady(model)) {
            pinnedReadyBytes += entries.get(model).bytes();
        }
    }

    public void unpin(String model) {
        decrement(pins, model, "unpinned more often than pinned");
        if (pins(model) == 0 && isReady(model)) {
            pinnedReadyBytes -= entries.get(model).bytes();
        }
    }

    /** Counts one queued invocation of {@code model}, resident or not: evict it last. */
    public void enqueued(String model) {
        reorder(model, () -> queued.merge(model, 1, Integer::sum));
    }

    public void dequeued(String model) {
        reorder(model, () -> decrement(queued, model, "dequeued more often than enqueued"));
    }

    /** Applies a change that moves {@code model} in the eviction order, keeping the set sorted. */
    private void reorder(String model, Runnable change) {
        CacheEntry e = entries.get(model);
        boolean ordered = e != null && evictionOrder.remove(e);
        change.run();
        if (e != null) {
            e.waitedFor(queued(model) > 0);
        }
        if (ordered) {
            evictionOrder.add(e);
        }
    }

    public int queued(String model) {
        return queued.getOrDefault(model, 0);
    }

    private static void decrement(Map<String, Integer> counts, String model, String misuse) {
        Integer n = counts.get(model);
        if (n == null) {
            throw new IllegalStateException("model " + model + " " + misuse);
        }
        if (n == 1) {
            counts.remove(model);
        } else {
            counts.put(model, n - 1);
        }
    }

    public int pins(String model) {
        return pins.getOrDefault(model, 0);
    }

    private boolean evictable(CacheEntry e) {
        return e.state() == CacheEntry.State.READY && pins(e.model()) == 0;
    }

    /** Resident, and not pinned by a running invocation. */
    public boolean isEvictable(String model) {
        CacheEntry e = entries.get(model);
        return e != null && evictable(e);
    }

    /** Records an invocation served from a resident model. */
    public void recordHit(String model) {
        CacheEntry e = entries.get(model);
        if (e == null || e.state() != CacheEntry.State.READY) {
            throw new IllegalStateException("hit on " + model + ", which is not ready");
        }
        hits++;
        access(e);
    }

    /** Records an invocation that found its model absent (counted once per invocation). */
    public void recordMiss() {
        misses++;
    }

    private void access(CacheEntry e) {
        boolean ordered = evictionOrder.remove(e);
        e.touch(++clock);
        e.priority(policy.priorityOnAccess(e));
        if (ordered || e.state() == CacheEntry.State.READY) {
            evictionOrder.add(e);
        }
    }

    /**
     * Makes room for {@code model}, evicting in policy order, and reserves {@code estimatedBytes}
     * for its load. Nothing changes unless the answer is {@link Admission.Admitted}.
     */
    public Admission admit(String model, long estimatedBytes, double loadCost) {
        CacheEntry existing = entries.get(model);
        if (existing != null) {
            return existing.state() == CacheEntry.State.READY ? new Admission.Hit() : new Admission.AlreadyLoading();
        }
        if (estimatedBytes > capacity) {
            return new Admission.TooLarge(estimatedBytes, capacity);
        }
        Optional<List<CacheEntry>> victims = planEviction(estimatedBytes - freeBytes(), null);
        if (victims.isEmpty()) {
            return new Admission.NoRoomNow(estimatedBytes, evictableBytes(), freeBytes());
        }
        List<String> names = evict(victims.get());
        CacheEntry entry = new CacheEntry(model, Math.max(0, estimatedBytes), CacheEntry.State.LOADING, loadCost);
        entry.waitedFor(queued(model) > 0);
        entries.put(model, entry);
        used += entry.bytes();
        return new Admission.Admitted(names);
    }

    /**
     * The load of {@code model} finished with its measured footprint. If it needs more than was
     * reserved, more models are evicted; if even that cannot make room, the entry is dropped and
     * the answer is empty: the caller must unload the model again. Otherwise the answer lists the
     * extra victims to unload (usually none).
     */
    public Optional<List<String>> completeLoad(String model, long actualBytes, double loadCost) {
        return complete(model, actualBytes, loadCost, true);
    }

    /**
     * As {@link #completeLoad}, for a model that was already in device memory (kept from the
     * worker's previous run on this device): resident the same way, but no load is counted.
     */
    public Optional<List<String>> completeReattach(String model, long actualBytes, double loadCost) {
        return complete(model, actualBytes, loadCost, false);
    }

    private Optional<List<String>> complete(String model, long actualBytes, double loadCost, boolean loaded) {
        CacheEntry e = entries.get(model);
        if (e == null || e.state() != CacheEntry.State.LOADING) {
            throw new IllegalStateException("no load of " + model + " is under way");
        }
        long extra = actualBytes - e.bytes();
        List<String> victims = List.of();
        if (extra > freeBytes()) {
            Optional<List<CacheEntry>> plan = planEviction(extra - freeBytes(), model);
            if (plan.isEmpty()) {
                entries.remove(model);
                used -= e.bytes();
                failedLoads++;
                return Optional.empty();
            }
            victims = evict(plan.get());
        }
        used += extra;
        e.bytes(actualBytes);
        e.loadCost(loadCost);
        e.state(CacheEntry.State.READY);
        readyBytes += actualBytes;
        if (pins(model) > 0) {
            pinnedReadyBytes += actualBytes;
        }
        if (loaded) {
            loads++;
            bytesLoaded += actualBytes;
        }
        access(e); // also enters the eviction order
        return Optional.of(victims);
    }

    /** The load failed: its reservation is released. */
    public void loadFailed(String model) {
        CacheEntry e = entries.get(model);
        if (e == null || e.state() != CacheEntry.State.LOADING) {
            throw new IllegalStateException("no load of " + model + " is under way");
        }
        entries.remove(model);
        used -= e.bytes();
        failedLoads++;
    }

    /** Evicts {@code model} on instruction (e.g. the router's), unless it is pinned or loading. */
    public boolean evict(String model) {
        CacheEntry e = entries.get(model);
        if (e == null || !evictable(e)) {
            return false;
        }
        evict(List.of(e));
        return true;
    }

    /** Resident (READY) models with their statistics, for a checkpoint. */
    public List<CachedModel> snapshot() {
        List<CachedModel> out = new ArrayList<>();
        for (CacheEntry e : entries.values()) {
            if (e.state() == CacheEntry.State.READY) {
                out.add(new CachedModel(e.model(), e.bytes(), e.frequency(), e.lastAccess(), e.loadCost(), e.priority()));
            }
        }
        return out;
    }

    /**
     * What to reload after a restore: the snapshot's models in descending priority (the ones the
     * policy would keep longest first), as many as fit.
     */
    public static List<CachedModel> warmPlan(Collection<CachedModel> snapshot, long capacityBytes) {
        List<CachedModel> ordered = new ArrayList<>(snapshot);
        ordered.sort(Comparator.comparingDouble((CachedModel m) -> -m.priority()).thenComparing(CachedModel::model));
        List<CachedModel> plan = new ArrayList<>();
        long sum = 0;
        for (CachedModel m : ordered) {
            if (sum + m.bytes() <= capacityBytes) {
                plan.add(m);
                sum += m.bytes();
            }
        }
        return plan;
    }

    /** Carries a restored model's statistics over to its fresh entry after a warm reload. */
    public void restoreStatistics(CachedModel restored) {
        CacheEntry e = entries.get(restored.model());
        if (e != null && e.state() == CacheEntry.State.READY) {
            evictionOrder.remove(e);
            clock = Math.max(clock, restored.lastAccess());
            e.restoreStatistics(restored.frequency(), restored.lastAccess());
            e.priority(policy.priorityOnAccess(e));
            evictionOrder.add(e);
        }
    }

    /** Bytes that evictions could free now: resident models not pinned by running work. */
    public long evictableBytes() {
        return readyBytes - pinnedReadyBytes;
    }

    /**
     * The models a load needing {@code bytes} more than is free would evict now, in the order it
     * would evict them; empty when none are needed, absent when it cannot be made room for. Changes
     * nothing: a planner's dry run of {@link #admit}.
     */
    public Optional<List<CacheEntry>> victimsFor(long bytes) {
        return planEviction(bytes - freeBytes(), null);
    }

    /** Victims in policy order freeing at least {@code needed} bytes, or empty if impossible. */
    private Optional<List<CacheEntry>> planEviction(long needed, String exclude) {
        if (needed <= 0) {
            return Optional.of(List.of());
        }
        List<CacheEntry> victims = new ArrayList<>();
        long freed = 0;
        for (CacheEntry c : evictionOrder) {
            if (freed >= needed) {
                break;
            }
            if (pins(c.model()) == 0 && !c.model().equals(exclude)) {
                victims.add(c);
                freed += c.bytes();
            }
        }
        return freed >= needed ? Optional.of(victims) : Optional.empty();
    }

    private List<String> evict(List<CacheEntry> victims) {
        List<String> names = new ArrayList<>(victims.size());
        for (CacheEntry v : victims) {
            policy.onEvict(v);
            evictionOrder.remove(v);
            entries.remove(v.model());
            used -= v.bytes();
            readyBytes -= v.bytes();
            evictions++;
            names.add(v.model());
        }
        return names;
    }

    /** Throws if the accounting is inconsistent: checked after every simulated run, and by tests. */
    public void checkInvariants() {
        long sum = 0;
        for (CacheEntry e : entries.values()) {
            if (e.bytes() < 0) {
                throw new IllegalStateException("negative size: " + e);
            }
            sum += e.bytes();
        }
        if (sum != used) {
            throw new IllegalStateException("used " + used + " but entries sum to " + sum);
        }
        if (used > capacity) {
            throw new IllegalStateException("used " + used + " exceeds capacity " + capacity);
        }
        long evictable = 0;
        for (CacheEntry e : entries.values()) {
            if (evictable(e)) {
                evictable += e.bytes();
            }
        }
        if (evictable != evictableBytes()) {
            throw new IllegalStateException("evictable bytes " + evictableBytes() + " but entries say " + evictable);
        }
        long ready = entries.values().stream().filter(e -> e.state() == CacheEntry.State.READY).count();
        if (evictionOrder.size() != ready) {
            throw new IllegalStateException("eviction order holds " + evictionOrder.size() + " of " + ready + " ready entries");
        }
    }
}
