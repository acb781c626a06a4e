package io.gpufaas.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelCacheTest {

    private static final long MB = 1 << 20;

    /** Admits and completes a load in one step, as a load that measured exactly its estimate. */
    private static List<String> load(ModelCache cache, String model, long bytes, double cost) {
        Admission a = cache.admit(model, bytes, cost);
        assertThat(a).as("admission of %s", model).isInstanceOf(Admission.Admitted.class);
        assertThat(cache.completeLoad(model, bytes, cost)).isPresent();
        return ((Admission.Admitted) a).victims();
    }

    @Test
    void lruEvictsTheLeastRecentlyUsed() {
        ModelCache cache = new ModelCache(300 * MB, new LruPolicy());
        load(cache, "a", 100 * MB, 1);
        load(cache, "b", 100 * MB, 1);
        load(cache, "c", 100 * MB, 1);
        cache.recordHit("a"); // b is now the least recent

        assertThat(load(cache, "d", 100 * MB, 1)).containsExactly("b");
        assertThat(load(cache, "e", 150 * MB, 1)).containsExactly("c", "a");
        assertThat(cache.stats().evictions()).isEqualTo(3);
        cache.checkInvariants();
    }

    @Test
    void lfuEvictsTheLeastFrequentlyUsedAndBreaksTiesByRecency() {
        ModelCache cache = new ModelCache(300 * MB, new LfuPolicy());
        load(cache, "a", 100 * MB, 1);
        load(cache, "b", 100 * MB, 1);
        load(cache, "c", 100 * MB, 1);
        cache.recordHit("a");
        cache.recordHit("a");
        cache.recordHit("c"); // frequencies: a=3, b=1, c=2

        assertThat(load(cache, "d", 100 * MB, 1)).containsExactly("b");
        // d (1 access) is now the least frequent; c (2) next.
        assertThat(load(cache, "e", 200 * MB, 1)).containsExactly("d", "c");
    }

    @Test
    void gdsfKeepsExpensiveSmallModelsOverCheapLargeOnes() {
        ModelCache cache = new ModelCache(300 * MB, new GdsfPolicy());
        load(cache, "small-slow", 50 * MB, 500);   // priority 0 + 1 * 500 / 50 = 10
        load(cache, "big-fast", 200 * MB, 200);    // priority 0 + 1 * 200 / 200 = 1
        load(cache, "mid", 50 * MB, 100);          // priority 0 + 1 * 100 / 50 = 2

        assertThat(load(cache, "new", 100 * MB, 100)).containsExactly("big-fast");
        // Inflation L is now 1: the newcomer's priority is 1 + 100/100 = 2, so 'mid' and 'new'
        // tie at 2, and the tie breaks by name.
        assertThat(cache.policy().state()).isEqualTo(1.0);
        assertThat(cache.entry("new").orElseThrow().priority()).isEqualTo(2.0);
        assertThat(load(cache, "x", 160 * MB, 1)).containsExactly("mid", "new");
    }

    @Test
    void pinnedModelsAreNeverEvicted() {
        ModelCache cache = new ModelCache(200 * MB, new LruPolicy());
        load(cache, "a", 100 * MB, 1);
        load(cache, "b", 100 * MB, 1);
        cache.pin("a");
        cache.pin("b");

        assertThat(cache.admit("c", 100 * MB, 1)).isInstanceOf(Admission.NoRoomNow.class);
        assertThat(cache.evict("a")).isFalse();
        cache.unpin("a");
        assertThat(load(cache, "c", 100 * MB, 1)).containsExactly("a");
        assertThat(cache.isReady("b")).isTrue();
    }

    @Test
    void modelsWithQueuedInvocationsAreEvictedLast() {
        ModelCache cache = new ModelCache(200 * MB, new LruPolicy());
        load(cache, "a", 100 * MB, 1);
        load(cache, "b", 100 * MB, 1);
        cache.enqueued("a"); // a is least recent, but work waits for it

        assertThat(load(cache, "c", 100 * MB, 1)).containsExactly("b");
        cache.enqueued("c");
        // Everything has queued work now: the policy's order decides among them.
        assertThat(load(cache, "d", 100 * MB, 1)).containsExactly("a");
        cache.dequeued("a");
        assertThat(cache.queued("a")).isZero();
    }

    @Test
    void aModelLargerThanTheDeviceIsRefusedOutright() {
        ModelCache cache = new ModelCache(100 * MB, new LruPolicy());
        assertThat(cache.admit("huge", 101 * MB, 1))
                .isEqualTo(new Admission.TooLarge(101 * MB, 100 * MB));
        assertThat(cache.usedBytes()).isZero();
    }

    @Test
    void secondRequestsForALoadingModelDoNotStartAnotherLoad() {
        ModelCache cache = new ModelCache(100 * MB, new LruPolicy());
        assertThat(cache.admit("a", 10 * MB, 1)).isInstanceOf(Admission.Admitted.class);
        assertThat(cache.admit("a", 10 * MB, 1)).isInstanceOf(Admission.AlreadyLoading.class);
        // A loading model is not evictable either.
        assertThat(cache.admit("b", 95 * MB, 1)).isInstanceOf(Admission.NoRoomNow.class);
        cache.completeLoad("a", 10 * MB, 1);
        assertThat(cache.admit("a", 10 * MB, 1)).isInstanceOf(Admission.Hit.class);
    }

    @Test
    void aLoadThatMeasuresLargerThanReservedEvictsMoreOrIsUndone() {
        ModelCache cache = new ModelCache(100 * MB, new LruPolicy());
        load(cache, "a", 40 * MB, 1);
        cache.admit("b", 40 * MB, 1);
        assertThat(cache.completeLoad("b", 70 * MB, 1)).contains(List.of("a"));
        assertThat(cache.usedBytes()).isEqualTo(70 * MB);

        cache.pin("b");
        cache.admit("c", 30 * MB, 1);
        assertThat(cache.completeLoad("c", 40 * MB, 1)).isEqualTo(Optional.empty());
        assertThat(cache.entry("c")).isEmpty();
        assertThat(cache.usedBytes()).isEqualTo(70 * MB);
        assertThat(cache.stats().failedLoads()).isEqualTo(1);
        cache.checkInvariants();
    }

    @Test
    void warmPlanKeepsTheHighestPriorityModelsThatFit() {
        List<CachedModel> snapshot = List.of(
                new CachedModel("low", 50, 1, 1, 1, 1.0),
                new CachedModel("high", 60, 5, 9, 1, 9.0),
                new CachedModel("mid", 50, 2, 5, 1, 5.0));

        assertThat(ModelCache.warmPlan(snapshot, 110)).extracting(CachedModel::model).containsExactly("high", "mid");
        assertThat(ModelCache.warmPlan(snapshot, 100)).extracting(CachedModel::model).containsExactly("high");
    }

    @Test
    void snapshotAndRestoreCarryStatistics() {
        ModelCache cache = new ModelCache(100 * MB, new LfuPolicy());
        load(cache, "a", 10 * MB, 3);
        cache.recordHit("a");
        List<CachedModel> snapshot = cache.snapshot();
        assertThat(snapshot).singleElement().satisfies(m -> assertThat(m.frequency()).isEqualTo(2));

        ModelCache restored = new ModelCache(100 * MB, new LfuPolicy());
        load(restored, "a", 10 * MB, 3);
        restored.restoreStatistics(snapshot.get(0));
        assertThat(restored.entry("a").orElseThrow().frequency()).isEqualTo(2);
    }

    @Test
    void misuseFailsLoudly() {
        ModelCache cache = new ModelCache(100, new LruPolicy());
        assertThatThrownBy(() -> cache.unpin("x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cache.dequeued("x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cache.completeLoad("x", 1, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cache.recordHit("x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> EvictionPolicies.create("fifo")).hasMessageContaining("known: [lru, lfu, gdsf]");
        assertThatThrownBy(() -> new ModelCache(0, new LruPolicy())).hasMessageContaining("positive");
    }
}
