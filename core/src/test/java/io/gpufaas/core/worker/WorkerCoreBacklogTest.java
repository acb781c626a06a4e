package io.gpufaas.core.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.FunctionCatalog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The backlog a worker reports is its queued work in its own run times, and a load's remainder. */
class WorkerCoreBacklogTest {

    private static final WorkerSettings ONE_AT_A_TIME = WorkerSettings.DEFAULTS.withConcurrency(1).withBatching(1, 0);

    private static WorkerCore<String> worker() {
        return new WorkerCore<>("test", 1_000, ONE_AT_A_TIME, FunctionCatalog.ofFootprints(Map.of("m", 100L)),
                (model, job) -> 0);
    }

    @Test
    void queuedInvocationsCountAtTheMeasuredRunTime() {
        WorkerCore<String> w = worker();
        w.submit("a", "m", 0, Long.MAX_VALUE);
        WorkerCore.Step.Load<String> load = (WorkerCore.Step.Load<String>) w.next(0).get(0);
        w.loadDone(load.model(), 100, 30);
        WorkerCore.Step.Run<String> run = (WorkerCore.Step.Run<String>) w.next(30).get(0);
        w.batchDone(run, 10);
        assertThat(w.backlogMs(40)).isZero();
        for (int i = 0; i < 5; i++) {
            w.submit("q" + i, "m", 40, Long.MAX_VALUE);
        }
        // One runs now; four wait, 10 ms each, one at a time.
        assertThat(w.next(40)).hasSize(1);
        assertThat(w.backlogMs(40)).isEqualTo(40.0);
    }

    @Test
    void aLoadInFlightCountsWhatIsLeftOfIt() {
        WorkerCore<String> w = worker();
        w.submit("a", "m", 0, Long.MAX_VALUE);
        List<WorkerCore.Step<String>> steps = w.next(0);
        assertThat(steps).singleElement().isInstanceOf(WorkerCore.Step.Load.class);
        double atStart = w.backlogMs(0);
        assertThat(atStart).isPositive(); // the assumed cost of a 100-byte model's load
        assertThat(w.backlogMs(1)).isEqualTo(Math.max(0, atStart - 1));
        assertThat(w.backlogMs((long) atStart + 1_000)).isZero();
    }
}
