package io.gpufaas.core.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.cache.LruPolicy;
import io.gpufaas.core.cache.ModelCache;
import io.gpufaas.core.router.Scheduler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A refusal a policy says awaits a release ({@link RoutingPolicy#refusalAwaitsRelease}) is one the
 * scheduler may keep without asking again: under random traffic (arrivals, completions, credits
 * granted and taken back, views corrected by reports, time passing) a scheduler that keeps such
 * refusals dispatches exactly what one that asks every time does, and the policies that claim it
 * are asked less.
 */
class StandingRefusalTest {

    private static final int WORKERS = 6;

    /** The policies that say some of their refusals stand; the others must be asked every time. */
    private static final Set<PolicyName> KEEP_REFUSALS =
            EnumSet.of(PolicyName.CH_BL, PolicyName.LALB, PolicyName.LALB_O3, PolicyName.ECT_O3, PolicyName.DEMAND);

    /**
     * The traffic: many models; or one model's line holding most of the queue, with few
     * completions and the clock moving faster, so that refusals which weigh the lines and the
     * clock (rule 5 of {@code demand}) must turn without a release.
     */
    enum Traffic {
        MANY_MODELS(24, 0, 9, 17, 19, 20, 3.0, false, 100, 400),
        ONE_HOT_MODEL(4, 0.9, 12, 14, 15, 16, 25.0, true, 100, 400),
        /** Models of a third to nearly all of a worker's memory: loads must evict, and often no free worker can take one. */
        SCARCE_MEMORY(12, 0, 9, 17, 19, 20, 3.0, false, 350, 600);

        final int models;
        final double hotShare;
        /** Of every 20 steps: arrivals below the first, completions below the second, slots changed below the third, reports below the fourth; the rest only move the clock. */
        final int arrivals;
        final int completions;
        final int slotChanges;
        final int reports;
        final double msPerStep;
        /** Runs longer than loads, so that a long line outlasts a copy's load. */
        final boolean longRuns;
        /** A model's bytes: at least the first, less than the first plus the second (a worker has 1,000). */
        final int leastBytes;
        final int bytesSpread;

        Traffic(int models, double hotShare, int arrivals, int completions, int slotChanges, int reports, double msPerStep,
                boolean longRuns, int leastBytes, int bytesSpread) {
            this.models = models;
            this.hotShare = hotShare;
            this.arrivals = arrivals;
            this.completions = completions;
            this.slotChanges = slotChanges;
            this.reports = reports;
            this.msPerStep = msPerStep;
            this.longRuns = longRuns;
            this.leastBytes = leastBytes;
            this.bytesSpread = bytesSpread;
        }

        long bytes(Random random) {
            return leastBytes + random.nextInt(bytesSpread);
        }

        double loadMs(Random random) {
            return longRuns ? 10 + random.nextInt(30) : 20 + random.nextInt(200);
        }

        double execMs(Random random) {
            return longRuns ? 30 + random.nextInt(50) : 1 + random.nextInt(50);
        }

        String model(Random random) {
            return "m" + (random.nextDouble() < hotShare ? 0 : random.nextInt(models));
        }
    }

    static Stream<Arguments> policiesAndTraffic() {
        return Arrays.stream(PolicyName.values())
                .flatMap(name -> Arrays.stream(Traffic.values()).map(traffic -> Arguments.of(name, traffic)));
    }

    @ParameterizedTest
    @MethodSource("policiesAndTraffic")
    void keptRefusalsDispatchExactlyWhatAskingAgainDoes(PolicyName name, Traffic traffic) {
        Counting keeping = new Counting(name.create(), true);
        Counting asking = new Counting(name.create(), false);
        List<WorkerView> keepingViews = views();
        List<WorkerView> askingViews = views();
        Scheduler<Integer> kept = new Scheduler<>(keeping, keepingViews, 4, 8);
        Scheduler<Integer> asked = new Scheduler<>(asking, askingViews, 4, 8);
        Random random = new Random(name.toString().hashCode() + traffic.ordinal());
        Map<String, Long> bytes = new HashMap<>();
        List<Assignment<Integer>> running = new ArrayList<>();
        for (int step = 0; step < 6_000; step++) {
            int op = random.nextInt(20);
            if (op < traffic.arrivals) {
                String model = traffic.model(random);
                long size = bytes.computeIfAbsent(model, m -> traffic.bytes(random));
                double loadMs = traffic.loadMs(random);
                double execMs = traffic.execMs(random);
                kept.submit(new Request<>(step, model, size, loadMs, execMs, step));
                asked.submit(new Request<>(step, model, size, loadMs, execMs, step));
            } else if (op < traffic.completions && !running.isEmpty()) {
                Assignment<Integer> a = running.remove(random.nextInt(running.size()));
                kept.complete(a.worker(), a.model());
                asked.complete(a.worker(), a.model());
            } else if (op < traffic.slotChanges) {
                int worker = random.nextInt(WORKERS);
                int slots = 1 + random.nextInt(4);
                keepingViews.get(worker).slots(slots);
                askingViews.get(worker).slots(slots);
            } else if (op < traffic.reports) {
                // A worker's report: it holds a random subset of what the views think.
                int worker = random.nextInt(WORKERS);
                List<String> resident = new ArrayList<>();
                keepingViews.get(worker).cache().entries().forEach(e -> {
                    if (random.nextInt(4) > 0) {
                        resident.add(e.model());
                    }
                });
                keepingViews.get(worker).reconcile(resident, bytes::get, m -> 50);
                askingViews.get(worker).reconcile(resident, bytes::get, m -> 50);
            }
            double nowMs = step * traffic.msPerStep;
            List<Assignment<Integer>> fromKept = kept.dispatch(nowMs);
            List<Assignment<Integer>> fromAsked = asked.dispatch(nowMs);
            assertThat(fromKept).as("%s, %s, at step %d", name, traffic, step).isEqualTo(fromAsked);
            running.addAll(fromKept);
        }
        if (KEEP_REFUSALS.contains(name)) {
            // With one line holding most of the queue, or memory scarce, fewer refusals stand.
            long most = traffic == Traffic.MANY_MODELS ? asking.asks * 3 / 4 : asking.asks * 9 / 10;
            assertThat(keeping.asks).as("%s asked with kept refusals, %s", name, traffic).isLessThan(most);
        } else {
            assertThat(keeping.asks).as("%s claims no standing refusals", name).isEqualTo(asking.asks);
        }
    }

    private static List<WorkerView> views() {
        List<WorkerView> views = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            views.add(new WorkerView(i, 2, 4, new ModelCache(1_000, new LruPolicy())));
        }
        return views;
    }

    /** Counts the policy's decisions; passes its standing refusals on, or never claims one. */
    private static final class Counting implements RoutingPolicy {
        private final RoutingPolicy policy;
        private final boolean keepRefusals;
        long asks;

        Counting(RoutingPolicy policy, boolean keepRefusals) {
            this.policy = policy;
            this.keepRefusals = keepRefusals;
        }

        @Override
        public String name() {
            return policy.name();
        }

        @Override
        public OptionalInt choose(Request<?> request, Cluster cluster, double nowMs) {
            asks++;
            return policy.choose(request, cluster, nowMs);
        }

        @Override
        public boolean outOfOrder() {
            return policy.outOfOrder();
        }

        @Override
        public int awaitedWorker() {
            return policy.awaitedWorker();
        }

        @Override
        public boolean refusalAwaitsRelease() {
            return keepRefusals && policy.refusalAwaitsRelease();
        }

        @Override
        public long refusalKey(Cluster cluster) {
            return policy.refusalKey(cluster);
        }

        @Override
        public int refusalStandsWhileLineAtMost() {
            return policy.refusalStandsWhileLineAtMost();
        }

        @Override
        public int refusalStandsWhileQueuedAtLeast() {
            return policy.refusalStandsWhileQueuedAtLeast();
        }

        @Override
        public double refusalStandsUntilMs() {
            return policy.refusalStandsUntilMs();
        }

        @Override
        public boolean watchRefusal(Request<?> request, Cluster cluster, Cluster.Watcher watcher) {
            return keepRefusals && policy.watchRefusal(request, cluster, watcher);
        }
    }
}
