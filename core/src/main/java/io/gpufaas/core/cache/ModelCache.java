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
    /** Resident and loading entries, in the order they were admitted: what {@link #entries} lists. */
    private final Map<String, CacheEntry> entries = new LinkedHashMap<>();
    /**
     * Every model the cache tracks, its entry and its counts in one place: a decision asks about
     * one model several times, and one lookup serves them all.
     */
    private final Map<String, Slot> slots = new HashMap<>();
    /**
     * READY entries in eviction order: models nobody waits for first, then the policy's priority,
     * then the name. Kept sorted incrementally (remove, change, re-add) so choosing victims costs
     * O(victims + pinned skipped), not a sort per load.
     */
    private final EvictionOrder evictionOrder;
    private long used;
    /** Bytes of READY entries, and of those pinned: evictable bytes in O(1). */
    private long readyBytes;
    private long pinnedReadyBytes;
    private long clock;
    /** Accesses of the entries here, summed: {@link #totalFrequency} in O(1). */
    private long frequencySum;
    private long hits;
    private long misses;
    private long evictions;
    private long bytesLoaded;
    private long loads;
    private long failedLoads;

    /** One model's entry (null while absent) and who needs it; forgotten once nothing does. */
    static final class Slot {
        CacheEntry entry;
        /** Running invocations: the model may not be evicted while positive. */
        int pins;
        /** Queued invocations: the model is evicted last while positive. */
        int queued;
    }

    /**
     * Models nobody waits for first, then the policy's priority, then the name. Written out rather
     * than composed from {@code Comparator.comparing...}: it runs several times on every access of
     * every cache, and a composed one calls a lambda per key.
     */
    private static int evictionRank(CacheEntry a, CacheEntry b) {
        if (a == b) {
            return 0;
        }
        if (a.waitedFor() != b.waitedFor()) {
            return a.waitedFor() ? 1 : -1;
        }
        int byPriority = Double.compare(a.priority(), b.priority());
        return byPriority != 0 ? byPriority : a.model().compareTo(b.model());
    }

    public ModelCache(long capacityBytes, EvictionPolicy policy) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("cache capacity must be positive, was " + capacityBytes);
        }
        this.capacity = capacityBytes;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.evictionOrder = EvictionOrder.of(policy, ModelCache::evictionRank);
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
        return Optional.ofNullable(get(model));
    }

    /** {@code model}'s entry, or null while it is absent. */
    private CacheEntry get(String model) {
        Slot slot = slots.get(model);
        return slot == null ? null : slot.entry;
    }

    private static boolean ready(CacheEntry e) {
        return e != null && e.state() == CacheEntry.State.READY;
    }

    public boolean isReady(String model) {
        return ready(get(model));
    }

    /** {@code model}'s state here, or null while it is absent: one lookup where a caller would ask twice. */
    public CacheEntry.State stateOf(String model) {
        CacheEntry e = get(model);
        return e == null ? null : e.state();
    }

    /** Whether {@code model} has an entry here, resident or loading. */
    public boolean holds(String model) {
        return get(model) != null;
    }

    /** Entries here, resident and loading. */
    public int size() {
        return entries.size();
    }

    public boolean isLoading(String model) {
        CacheEntry e = get(model);
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
        pin(slots.computeIfAbsent(model, m -> new Slot()), 1);
    }

    /** {@code times} more running invocations of {@code slot}'s model: a ready one's bytes count as pinned from the first. */
    private void pin(Slot slot, int times) {
        if (slot.pins == 0 && ready(slot.entry)) {
            pinnedReadyBytes += slot.entry.bytes();
        }
        slot.pins += times;
    }

    public void unpin(String model) {
        unpin(model, 1);
    }

    /** Unpins {@code model} {@code times} times at once: a batch of that many finished. */
    public void unpin(String model, int times) {
        Slot slot = slots.get(model);
        if (slot == null || slot.pins < times || times < 1) {
            throw new IllegalStateException("model " + model + " unpinned more often than pinned");
        }
        slot.pins -= times;
        if (slot.pins == 0) {
            if (ready(slot.entry)) {
                pinnedReadyBytes -= slot.entry.bytes();
            }
            forgetIfUnused(model, slot);
        }
    }

    /**
     * Counts one queued invocation of {@code model}, resident or not: evict it last. Returns whether
     * the model is resident (READY) now: a worker's one lookup per arrival, where it asked twice.
     */
    public boolean enqueued(String model) {
        Slot slot = slots.computeIfAbsent(model, m -> new Slot());
        if (++slot.queued == 1) {
            waitedFor(slot.entry, true);
        }
        return ready(slot.entry);
    }

    public void dequeued(String model) {
        Slot slot = slots.get(model);
        if (slot == null || slot.queued == 0) {
            throw new IllegalStateException("model " + model + " dequeued more often than enqueued");
        }
        dequeue(model, slot, 1);
    }

    /** {@code times} queued invocations of {@code model} left its queue: the last one ends the wait for it. */
    private void dequeue(String model, Slot slot, int times) {
        slot.queued -= times;
        if (slot.queued == 0) {
            waitedFor(slot.entry, false);
            forgetIfUnused(model, slot);
        }
    }

    /** Drops {@code model}'s slot once it has no entry, pins or queue: absent models cost nothing. */
    private void forgetIfUnused(String model, Slot slot) {
        if (slot.entry == null && slot.pins == 0 && slot.queued == 0) {
            slots.remove(model);
        }
    }

    /**
     * A model's line went from empty to waiting or back: moves its entry (if any) in the eviction
     * order, keeping the set sorted. Only these changes move it, so a queue's every other arrival
     * and departure leaves the order alone.
     */
    private void waitedFor(CacheEntry e, boolean waited) {
        if (e == null) {
            return;
        }
        // Only READY entries are in the order: a loading one is not looked for.
        boolean ordered = ready(e) && evictionOrder.remove(e);
        e.waitedFor(waited);
        if (ordered) {
            evictionOrder.add(e);
        }
    }

    public int queued(String model) {
        Slot slot = slots.get(model);
        return slot == null ? 0 : slot.queued;
    }

    public int pins(String model) {
        Slot slot = slots.get(model);
        return slot == null ? 0 : slot.pins;
    }

    private static boolean evictable(CacheEntry e) {
        return e.state() == CacheEntry.State.READY && e.slot.pins == 0;
    }

    /** Resident, and not pinned by a running invocation. */
    public boolean isEvictable(String model) {
        CacheEntry e = get(model);
        return e != null && evictable(e);
    }

    /** Records an invocation served from a resident model. */
    public void recordHit(String model) {
        CacheEntry e = get(model);
        if (e == null || e.state() != CacheEntry.State.READY) {
            throw new IllegalStateException("hit on " + model + ", which is not ready");
        }
        hit(e);
    }

    private void hit(CacheEntry e) {
        hits++;
        access(e, true);
    }

    /**
     * {@code count} queued invocations of resident {@code model} start as one batch: each leaves the
     * queue and pins the model, and {@code hitsAmongThem} of them (those that found it resident when they
     * came) count as hits. The same as {@link #recordHit}, {@link #dequeued} and {@link #pin} per
     * invocation, with one lookup.
     */
    public void started(String model, int count, int hitsAmongThem) {
        Slot slot = slots.get(model);
        CacheEntry e = slot == null ? null : slot.entry;
        if (!ready(e)) {
            throw new IllegalStateException("batch of " + model + ", which is not ready");
        }
        if (count < 1 || hitsAmongThem < 0 || hitsAmongThem > count || slot.queued < count) {
            throw new IllegalStateException("a batch of " + count + " (" + hitsAmongThem + " hits) of " + model + " but "
                    + slot.queued + " queued");
        }
        for (int i = 0; i < hitsAmongThem; i++) {
            hit(e);
        }
        dequeue(model, slot, count); // the entry is ready, so its slot stays
        pin(slot, count);
    }

    /** Records an invocation that found its model absent (counted once per invocation). */
    public void recordMiss() {
        misses++;
    }

    /** {@code e} was used; {@code ordered}: it is in the eviction order now (a READY entry, not one just loaded). */
    private void access(CacheEntry e, boolean ordered) {
        e.touch(++clock);
        frequencySum++;
        double priority = policy.priorityOnAccess(e);
        if (ordered && priority >= e.priority() && evictionOrder.last() == e) {
            // The last stays last when its priority grows: no need to take it out and put it back
            // (two walks of the tree on every hit of a worker serving one model again and again).
            e.priority(priority);
            return;
        }
        if (ordered) {
            evictionOrder.remove(e); // before its priority, the order's key, changes
        }
        e.priority(priority);
        evictionOrder.add(e);
    }

    /**
     * Makes room for {@code model}, evicting in policy order, and reserves {@code estimatedBytes}
     * for its load. Nothing changes unless the answer is {@link Admission.Admitted}.
     */
    public Admission admit(String model, long estimatedBytes, double loadCost) {
        CacheEntry existing = get(model);
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
        Slot slot = slots.computeIfAbsent(model, m -> new Slot());
        entry.waitedFor(slot.queued > 0);
        entry.slot = slot;
        slot.entry = entry;
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
        Slot slot = slots.get(model);
        CacheEntry e = slot == null ? null : slot.entry;
        if (e == null || e.state() != CacheEntry.State.LOADING) {
            throw new IllegalStateException("no load of " + model + " is under way");
        }
        long extra = actualBytes - e.bytes();
        List<String> victims = List.of();
        if (extra > freeBytes()) {
            Optional<List<CacheEntry>> plan = planEviction(extra - freeBytes(), model);
            if (plan.isEmpty()) {
                drop(model, slot);
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
        if (slot.pins > 0) {
            pinnedReadyBytes += actualBytes;
        }
        if (loaded) {
            loads++;
            bytesLoaded += actualBytes;
        }
        access(e, false); // also enters the eviction order
        return Optional.of(victims);
    }

    /** The load failed: its reservation is released. */
    public void loadFailed(String model) {
        Slot slot = slots.get(model);
        CacheEntry e = slot == null ? null : slot.entry;
        if (e == null || e.state() != CacheEntry.State.LOADING) {
            throw new IllegalStateException("no load of " + model + " is under way");
        }
        drop(model, slot);
        used -= e.bytes();
        failedLoads++;
    }

    /** Evicts {@code model} on instruction (e.g. the router's), unless it is pinned or loading. */
    public boolean evict(String model) {
        CacheEntry e = get(model);
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
        CacheEntry e = get(restored.model());
        if (e != null && e.state() == CacheEntry.State.READY) {
            evictionOrder.remove(e);
            clock = Math.max(clock, restored.lastAccess());
            frequencySum += restored.frequency() - e.frequency();
            e.restoreStatistics(restored.frequency(), restored.lastAccess());
            e.priority(policy.priorityOnAccess(e));
            evictionOrder.add(e);
        }
    }

    /** The accesses of every model here, summed: what a victim's share of them is reckoned against. */
    public long totalFrequency() {
        return frequencySum;
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
            if (c.slot.pins == 0 && !c.model().equals(exclude)) {
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
            frequencySum -= v.frequency();
            drop(v.model(), v.slot);
            used -= v.bytes();
            readyBytes -= v.bytes();
            evictions++;
            names.add(v.model());
        }
        return names;
    }

    /** {@code model}'s entry leaves the cache; its counts stay while anyone needs it. */
    private void drop(String model, Slot slot) {
        entries.remove(model);
        slot.entry = null;
        forgetIfUnused(model, slot);
    }

    /** Throws if the accounting is inconsistent: checked after every simulated run, and by tests. */
    public void checkInvariants() {
        // One pass over the entries: the simulator checks every cache after every run, replays included.
        long sum = 0;
        long frequencies = 0;
        long evictable = 0;
        long ready = 0;
        for (CacheEntry e : entries.values()) {
            if (e.bytes() < 0) {
                throw new IllegalStateException("negative size: " + e);
            }
            Slot slot = slots.get(e.model());
            if (slot == null || slot.entry != e) {
                throw new IllegalStateException("entry " + e + " has no slot of its own");
            }
            sum += e.bytes();
            frequencies += e.frequency();
            if (e.state() == CacheEntry.State.READY) {
                ready++;
                if (slot.pins == 0) {
                    evictable += e.bytes();
                }
            }
        }
        if (sum != used) {
            throw new IllegalStateException("used " + used + " but entries sum to " + sum);
        }
        if (used > capacity) {
            throw new IllegalStateException("used " + used + " exceeds capacity " + capacity);
        }
        if (frequencies != frequencySum) {
            throw new IllegalStateException("accesses sum to " + frequencies + " but the cache counted " + frequencySum);
        }
        if (evictable != evictableBytes()) {
            throw new IllegalStateException("evictable bytes " + evictableBytes() + " but entries say " + evictable);
        }
        int slotted = 0;
        for (Slot slot : slots.values()) {
            if (slot.entry != null) {
                slotted++;
                if (slot.entry.slot != slot) {
                    throw new IllegalStateException("the entry of " + slot.entry.model() + " points at another model's counts");
                }
            }
        }
        if (slotted != entries.size()) {
            throw new IllegalStateException(slotted + " slots hold an entry, but the cache has " + entries.size());
        }
        if (evictionOrder.size() != ready) {
            throw new IllegalStateException("eviction order holds " + evictionOrder.size() + " of " + ready + " ready entries");
        }
        CacheEntry previous = null;
        for (CacheEntry e : evictionOrder) {
            if (previous != null && evictionRank(previous, e) >= 0) {
                throw new IllegalStateException("eviction order has " + previous + " before " + e);
            }
            previous = e;
        }
    }
}
