package io.gpufaas.core.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.router.Scheduler;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The cluster's live indexes (free workers, workers by running count, holders per model, workers holding waited-for models, free workers holding none) always equal a full recomputation. */
class ClusterIndexTest {

    @ParameterizedTest
    @EnumSource(PolicyName.class)
    void indexesMatchTheViewsUnderRandomTraffic(PolicyName policy) {
        Random random = new Random(policy.toString().hashCode());
        List<WorkerView> views = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            views.add(new WorkerView(i, 1_000, 2));
        }
        Scheduler<Integer> s = new Scheduler<>(policy.create(), views, 4, 8);
        List<Assignment<Integer>> running = new ArrayList<>();
        for (int step = 0; step < 4_000; step++) {
            int op = random.nextInt(10);
            if (op < 5) {
                String model = "m" + random.nextInt(20);
                s.submit(new Request<>(step, model, 100 + random.nextInt(300), 50, 5, step));
            } else if (op < 9 && !running.isEmpty()) {
                Assignment<Integer> a = running.remove(random.nextInt(running.size()));
                s.complete(a.worker(), a.model());
            } else {
                // A worker's report: it holds a random subset of what the view thinks.
                WorkerView w = views.get(random.nextInt(views.size()));
                List<String> resident = new ArrayList<>();
                w.cache().entries().forEach(e -> {
                    if (random.nextBoolean()) {
                        resident.add(e.model());
                    }
                });
                w.reconcile(resident, m -> 100, m -> 50);
            }
            running.addAll(s.dispatch(step));

            Cluster c = s.cluster();
            BitSet free = new BitSet();
            for (WorkerView w : views) {
                free.set(w.id(), w.hasFreeSlot());
                w.cache().checkInvariants();
            }
            assertThat(c.free()).isEqualTo(free);
            int total = views.stream().mapToInt(WorkerView::running).sum();
            assertThat(c.totalRunning()).isEqualTo(total);
            for (int k = 0; k <= c.mostSlots(); k++) {
                BitSet level = new BitSet();
                for (WorkerView w : views) {
                    level.set(w.id(), w.running() == k);
                }
                assertThat(c.withRunning(k)).as("workers running %d", k).isEqualTo(level);
            }
            BitSet freeWithoutWaitingWork = new BitSet();
            for (WorkerView w : views) {
                boolean holdsWaiting = w.cache().entries().stream().anyMatch(e -> c.waiting(e.model()) > 0);
                assertThat(c.holdsWaitingWork(w.id())).as("worker %d holds waiting work", w.id()).isEqualTo(holdsWaiting);
                freeWithoutWaitingWork.set(w.id(), w.hasFreeSlot() && !holdsWaiting);
            }
            assertThat(c.freeWithoutWaitingWork()).as("free workers holding no waited-for model")
                    .isEqualTo(freeWithoutWaitingWork);
            for (int m = 0; m < 20; m++) {
                BitSet holders = new BitSet();
                for (WorkerView w : views) {
                    holders.set(w.id(), w.cache().isReady("m" + m));
                }
                assertThat(c.holders("m" + m)).as("holders of m%d", m).isEqualTo(holders);
            }
        }
    }
}
