package io.gpufaas.core.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.cache.LruPolicy;
import io.gpufaas.core.cache.ModelCache;
import io.gpufaas.core.router.Scheduler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A refusal a policy says awaits a release ({@link RoutingPolicy#refusalAwaitsRelease}) is one the
 * scheduler may keep without asking again: under random traffic (arrivals, completions, credits
 * granted and taken back, views corrected by reports, time passing) a scheduler that keeps such
 * refusals dispatches exactly what one that asks every time does, and the policies that claim it
 * are asked less.
 */
class StandingRefusalTest {

    private static final int WORKERS = 6;
    private static final int MODELS = 24;

    @ParameterizedTest
    @EnumSource(PolicyName.class)
    void keptRefusalsDispatchExactlyWhatAskingAgainDoes(PolicyName name) {
        Counting keeping = new Counting(name.create(), true);
        Counting asking = new Counting(name.create(), false);
        List<WorkerView> keepingViews = views();
        List<WorkerView> askingViews = views();
        Scheduler<Integer> kept = new Scheduler<>(keeping, keepingViews, 4, 8);
        Scheduler<Integer> asked = new Scheduler<>(asking, askingViews, 4, 8);
        Random random = new Random(name.toString().hashCode());
        Map<String, Long> bytes = new HashMap<>();
        List<Assignment<Integer>> running = new ArrayList<>();
        for (int step = 0; step < 6_000; step++) {
            int op = random.nextInt(20);
            if (op < 9) {
                String model = "m" + random.nextInt(MODELS);
                long size = bytes.computeIfAbsent(model, m -> 100L + random.nextInt(400));
                double loadMs = 20 + random.nextInt(200);
                double execMs = 1 + random.nextInt(50);
                kept.submit(new Request<>(step, model, size, loadMs, execMs, step));
                asked.submit(new Request<>(step, model, size, loadMs, execMs, step));
            } else if (op < 17 && !running.isEmpty()) {
                Assignment<Integer> a = running.remove(random.nextInt(running.size()));
                kept.complete(a.worker(), a.model());
                asked.complete(a.worker(), a.model());
            } else if (op < 19) {
                int worker = random.nextInt(WORKERS);
                int slots = 1 + random.nextInt(4);
                keepingViews.get(worker).slots(slots);
                askingViews.get(worker).slots(slots);
            } else {
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
            double nowMs = step * 3.0;
            List<Assignment<Integer>> fromKept = kept.dispatch(nowMs);
            List<Assignment<Integer>> fromAsked = asked.dispatch(nowMs);
            assertThat(fromKept).as("%s at step %d", name, step).isEqualTo(fromAsked);
            running.addAll(fromKept);
        }
        if (name == PolicyName.DEMAND || name == PolicyName.CH_BL) {
            assertThat(keeping.asks).as("%s asked with kept refusals", name).isLessThan(asking.asks * 3 / 4);
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
    }
}
