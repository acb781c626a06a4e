package io.gpufaas.core.router.policy;

import static io.gpufaas.core.router.policy.RouterFixtures.preload;
import static io.gpufaas.core.router.policy.RouterFixtures.req;
import static io.gpufaas.core.router.policy.RouterFixtures.workers;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which releases wake a standing refusal's watcher, and that the watch lists stay bounded. */
class ClusterWatchTest {

    /** Counts its wake-ups. */
    private static final class Counter implements Cluster.Watcher {
        int wakes;

        @Override
        public void wake() {
            wakes++;
        }
    }

    @Test
    void aWorkerWatchWakesAtAReleaseThereOnlyAndOnce() {
        List<WorkerView> ws = workers(3, 1_000);
        Cluster cluster = new Cluster(ws);
        ws.get(0).start(req("a", "m"), 0);
        ws.get(1).start(req("b", "n"), 0);
        Counter watcher = new Counter();
        cluster.watchWorker(0, watcher);

        ws.get(1).complete("n");
        assertThat(watcher.wakes).as("a release elsewhere").isZero();
        ws.get(0).complete("m");
        assertThat(watcher.wakes).isEqualTo(1);
        ws.get(0).start(req("c", "m"), 0);
        ws.get(0).complete("m");
        assertThat(watcher.wakes).as("woken watchers are forgotten").isEqualTo(1);
    }

    @Test
    void aModelWatchWakesAtASlotReleasedByAHolderOrAChangeOfHolders() {
        List<WorkerView> ws = workers(3, 1_000);
        preload(ws.get(0), "m");
        Cluster cluster = new Cluster(ws);
        ws.get(0).start(req("a", "m"), 0);
        ws.get(1).start(req("b", "n"), 0);
        Counter watcher = new Counter();
        cluster.watchModel("m", watcher);

        ws.get(1).complete("n");
        assertThat(watcher.wakes).as("a worker without m released").isZero();
        ws.get(0).complete("m");
        assertThat(watcher.wakes).as("m's holder released a slot").isEqualTo(1);

        cluster.watchModel("m", watcher);
        ws.get(2).start(req("c", "m"), 0);
        assertThat(watcher.wakes).as("a worker loads m").isEqualTo(2);
    }

    @Test
    void anIdleWatchWakesWhenAWorkerBecomesIdle() {
        List<WorkerView> ws = List.of(new WorkerView(0, 1_000, 2), new WorkerView(1, 1_000, 2));
        Cluster cluster = new Cluster(ws);
        ws.get(0).start(req("a", "m"), 0);
        ws.get(0).start(req("b", "m"), 0);
        Counter watcher = new Counter();
        cluster.watchIdle(watcher);

        ws.get(0).complete("m");
        assertThat(watcher.wakes).as("one still runs there").isZero();
        ws.get(0).complete("m");
        assertThat(watcher.wakes).isEqualTo(1);
    }

    @Test
    void aFullListWakesAllItHoldsSoWatchesStayBounded() {
        List<WorkerView> ws = workers(1, 1_000);
        Cluster cluster = new Cluster(ws);
        ws.get(0).start(req("a", "m"), 0);
        Counter watcher = new Counter();
        for (int i = 0; i < Cluster.MOST_WATCHERS_PER_LIST; i++) {
            cluster.watchWorker(0, watcher);
        }
        assertThat(watcher.wakes).isZero();
        cluster.watchWorker(0, watcher);
        assertThat(watcher.wakes).as("the full list was woken and emptied").isEqualTo(Cluster.MOST_WATCHERS_PER_LIST);

        Counter models = new Counter();
        for (int i = 0; i <= Cluster.MOST_WATCHED_MODELS; i++) {
            cluster.watchModel("model-" + i, models);
        }
        assertThat(models.wakes).as("past the most models watched, all were woken").isEqualTo(Cluster.MOST_WATCHED_MODELS);
    }
}
