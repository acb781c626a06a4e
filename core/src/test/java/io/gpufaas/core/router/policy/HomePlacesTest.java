package io.gpufaas.core.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each model's home keeps every worker's homed bytes within its share plus one model, and stays put. */
class HomePlacesTest {

    private static final long MB = 1L << 20;
    private static final long GIB = 1L << 30;

    private static Cluster pool(long... capacities) {
        List<WorkerView> views = new ArrayList<>();
        for (int i = 0; i < capacities.length; i++) {
            views.add(new WorkerView(i, capacities[i], 2));
        }
        return new Cluster(views);
    }

    /** 2 to 16 workers of 16 GiB each. */
    private static long[] equalMemories(SplittableRandom random) {
        long[] capacities = new long[2 + random.nextInt(15)];
        java.util.Arrays.fill(capacities, 16 * GIB);
        return capacities;
    }

    @Test
    void noWorkerHasMoreThanItsShareOfHomedBytesPlusOneModelWhateverTheModels() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            long[] capacities = equalMemories(random);
            int workers = capacities.length;
            Cluster cluster = pool(capacities);
            HashRing ring = HashRing.forWorkers(null, workers);
            HomePlaces homes = new HomePlaces();
            int models = 5 + random.nextInt(400);
            long total = 0;
            long largest = 0;
            for (int m = 0; m < models; m++) {
                // Sizes spread as the catalogue's do: 10 MB to 2.6 GB, most of them small.
                long bytes = (long) (10 * MB * Math.pow(260, random.nextDouble() * random.nextDouble()));
                homes.startOf("round-" + round + "-model-" + m, bytes, cluster, ring);
                total += bytes;
                largest = Math.max(largest, bytes);
            }
            for (int w = 0; w < workers; w++) {
                // The last model homed on the fullest worker went to the least full, which held
                // at most the average then: list scheduling's bound.
                assertThat(homes.homedBytes(w)).as("round %d, worker %d of %d", round, w, workers)
                        .isLessThanOrEqualTo((long) Math.ceil((double) total / workers) + largest);
            }
        }
    }

    @Test
    void knowsHowManyCopiesOfEveryModelHomedSoFarThePoolHolds() {
        Cluster cluster = pool(2 * GIB, 2 * GIB);
        HashRing ring = HashRing.forWorkers(null, 2);
        HomePlaces homes = new HomePlaces();
        homes.startOf("a", GIB, cluster, ring);
        homes.startOf("b", GIB, cluster, ring);
        assertThat(homes.poolHolds(2)).as("2 GiB homed in 4 GiB").isTrue();
        homes.startOf("a", GIB, cluster, ring);
        assertThat(homes.poolHolds(2)).as("a model asked for again is homed once").isTrue();
        homes.startOf("c", 1, cluster, ring);
        assertThat(homes.poolHolds(2)).isFalse();
        assertThat(homes.poolHolds(1)).isTrue();
    }

    @Test
    void aPlainRingOftenHomesMoreOnOneWorkerThanTheBoundAllows() {
        // Why the bound exists: 35 models of the catalogue's spread of sizes on 4 workers, by hash
        // alone, in 200 random draws of model names.
        SplittableRandom random = new SplittableRandom(11);
        Cluster cluster = pool(16 * GIB, 16 * GIB, 16 * GIB, 16 * GIB);
        HashRing ring = HashRing.forWorkers(null, 4);
        int hashOver = 0;
        for (int draw = 0; draw < 200; draw++) {
            HomePlaces homes = new HomePlaces();
            long[] byHash = new long[4];
            long total = 0;
            long largest = 0;
            for (int m = 0; m < 35; m++) {
                String model = "draw-" + draw + "-model-" + m;
                long bytes = (long) (10 * MB * Math.pow(260, random.nextDouble() * random.nextDouble()));
                byHash[ring.ownerAt(ring.positionOf(model))] += bytes;
                homes.startOf(model, bytes, cluster, ring);
                total += bytes;
                largest = Math.max(largest, bytes);
            }
            long bound = (long) Math.ceil(1.25 * total / 4) + largest;
            hashOver += java.util.Arrays.stream(byHash).max().orElseThrow() > bound ? 1 : 0;
            for (int w = 0; w < 4; w++) {
                assertThat(homes.homedBytes(w)).as("draw %d, worker %d", draw, w).isLessThanOrEqualTo(bound);
            }
        }
        assertThat(hashOver).as("draws where the hash alone homes more than the bound on one worker").isGreaterThan(10);
    }

    @Test
    void aModelKeepsItsHomeAsOthersArrive() {
        Cluster cluster = pool(GIB, GIB, GIB);
        HashRing ring = HashRing.forWorkers(null, 3);
        HomePlaces homes = new HomePlaces();
        int first = homes.startOf("resnet", 300 * MB, cluster, ring);
        for (int m = 0; m < 50; m++) {
            homes.startOf("other-" + m, 40 * MB, cluster, ring);
        }
        assertThat(homes.startOf("resnet", 300 * MB, cluster, ring)).isEqualTo(first);
        assertThat(homes.homeOf("resnet", ring)).isEqualTo(ring.ownerAt(first));
    }

    @Test
    void aWorkerWithMoreMemoryTakesAProportionateShare() {
        Cluster cluster = pool(4 * GIB, 12 * GIB);
        HashRing ring = HashRing.forWorkers(null, 2);
        HomePlaces homes = new HomePlaces();
        for (int m = 0; m < 400; m++) {
            homes.startOf("model-" + m, 20 * MB, cluster, ring);
        }
        long total = 400 * 20 * MB;
        assertThat(homes.homedBytes(0)).isLessThanOrEqualTo((long) (1.25 * total / 4) + 20 * MB);
        assertThat(homes.homedBytes(1)).isGreaterThanOrEqualTo(total / 2);
    }

    @Test
    void aLargeModelGoesWhereNothingIsHomedYet() {
        Cluster cluster = pool(16 * GIB, 16 * GIB, 16 * GIB, 16 * GIB);
        HashRing ring = HashRing.forWorkers(null, 4);
        HomePlaces homes = new HomePlaces();
        homes.startOf("small", 10 * MB, cluster, ring);
        int smallHome = homes.homeOf("small", ring);
        homes.startOf("large", 2 * GIB, cluster, ring);
        assertThat(homes.homeOf("large", ring)).isNotEqualTo(smallHome);
    }

    @Test
    void aModelNoWorkerCanHoldStaysAtItsHash() {
        Cluster cluster = pool(GIB, GIB);
        HashRing ring = HashRing.forWorkers(null, 2);
        HomePlaces homes = new HomePlaces();
        assertThat(homes.startOf("huge", 3 * GIB, cluster, ring)).isEqualTo(ring.positionOf("huge"));
    }

    @Test
    void homesAreDroppedWhenThePoolChangesSize() {
        HomePlaces homes = new HomePlaces();
        homes.startOf("a", 100 * MB, pool(GIB, GIB), HashRing.forWorkers(null, 2));
        Cluster bigger = pool(GIB, GIB, GIB);
        HashRing ring = HashRing.forWorkers(null, 3);
        homes.startOf("b", 100 * MB, bigger, ring);
        assertThat(homes.homeOf("a", ring)).isEqualTo(-1);
        long homed = 0;
        for (int w = 0; w < 3; w++) {
            homed += homes.homedBytes(w);
        }
        assertThat(homed).isEqualTo(100 * MB);
    }

    @Test
    void renamingTheModelsMovesNoBytesBetweenWorkersOfEqualMemory() {
        // What the hash decides is only which of the equally full workers a model goes to, and
        // with equal memories those are interchangeable: the same arrivals under other names
        // fill the workers alike. Homes first from the hash within their share did not.
        SplittableRandom random = new SplittableRandom(13);
        for (int draw = 0; draw < 100; draw++) {
            long[] capacities = equalMemories(random);
            int workers = capacities.length;
            HashRing ring = HashRing.forWorkers(null, workers);
            HomePlaces named = new HomePlaces();
            HomePlaces renamed = new HomePlaces();
            Cluster cluster = pool(capacities);
            int models = 5 + random.nextInt(100);
            for (int m = 0; m < models; m++) {
                long bytes = (long) (10 * MB * Math.pow(260, random.nextDouble() * random.nextDouble()));
                named.startOf("model-" + m, bytes, cluster, ring);
                renamed.startOf("model-" + m + "~1", bytes, cluster, ring);
            }
            long[] fill = new long[workers];
            long[] refill = new long[workers];
            for (int w = 0; w < workers; w++) {
                fill[w] = named.homedBytes(w);
                refill[w] = renamed.homedBytes(w);
            }
            java.util.Arrays.sort(fill);
            java.util.Arrays.sort(refill);
            assertThat(refill).as("draw %d, %d workers, %d models", draw, workers, models).isEqualTo(fill);
        }
    }
}
