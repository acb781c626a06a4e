package io.gpufaas.core.router.policy;

import static io.gpufaas.core.router.policy.RouterFixtures.preload;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A worker view's estimate of its loads: one model at a time, as a worker loads them. */
class WorkerViewLoadQueueTest {

    private static Request<String> load(String model, double loadMs) {
        return new Request<>("r-" + model, model, 100, loadMs, 10, 0);
    }

    @Test
    void loadsStartedTogetherAreDoneOneAfterAnother() {
        WorkerView w = new WorkerView(0, 10_000, 4);
        assertThat(w.loadQueueMs(0)).isZero();

        w.start(load("a", 300), 0);
        w.start(load("b", 200), 0);
        assertThat(w.loadQueueMs(0)).as("b's load waits for a's").isEqualTo(500);
        assertThat(w.loadQueueMs(400)).isEqualTo(100);
        assertThat(w.loadQueueMs(600)).isZero();

        // A load started once the others are done waits for none of them.
        w.start(load("c", 50), 1_000);
        assertThat(w.loadQueueMs(1_000)).isEqualTo(50);
    }

    @Test
    void aHitAddsNoLoadAndAWorkerForgottenHasNoneQueued() {
        WorkerView w = new WorkerView(0, 10_000, 4);
        preload(w, "m"); // a 100 ms load at 0
        w.start(load("m", 300), 200);
        assertThat(w.loadQueueMs(200)).as("m is resident: a hit").isZero();

        w.start(load("a", 300), 200);
        assertThat(w.loadQueueMs(200)).isEqualTo(300);
        w.releaseAll();
        assertThat(w.loadQueueMs(200)).isZero();
    }
}
