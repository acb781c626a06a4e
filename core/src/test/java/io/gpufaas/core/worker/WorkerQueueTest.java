package io.gpufaas.core.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WorkerQueueTest {

    private final Map<String, ModelState> states = new HashMap<>();

    private ModelState state(String model) {
        return states.getOrDefault(model, ModelState.ABSENT);
    }

    private static final long NO_DEADLINE = Long.MAX_VALUE;

    @Test
    void fifoRunsTheHeadAndBatchesItsModel() {
        WorkerQueue<String> q = new WorkerQueue<>(3, 0, false, 0);
        q.add("a1", "a", 0, NO_DEADLINE);
        q.add("b1", "b", 0, NO_DEADLINE);
        q.add("a2", "a", 0, NO_DEADLINE);
        q.add("a3", "a", 0, NO_DEADLINE);
        q.add("a4", "a", 0, NO_DEADLINE);
        states.put("a", ModelState.READY);

        assertThat(q.next(0, this::state)).isEqualTo(new Dispatch.Run<>("a", List.of("a1", "a2", "a3")));
        assertThat(q.next(0, this::state)).isEqualTo(new Dispatch.Load<>("b"));
        assertThat(q.size()).isEqualTo(2);
    }

    @Test
    void withoutOutOfOrderDispatchEverythingWaitsBehindALoad() {
        WorkerQueue<String> q = new WorkerQueue<>(1, 0, false, 0);
        q.add("b1", "b", 0, NO_DEADLINE);
        q.add("a1", "a", 0, NO_DEADLINE);
        states.put("a", ModelState.READY);
        states.put("b", ModelState.LOADING);

        assertThat(q.next(0, this::state)).isEqualTo(new Dispatch.Idle<>());
    }

    @Test
    void outOfOrderRunsResidentModelsAheadOfABlockedHeadUntilTheBypassBound() {
        WorkerQueue<String> q = new WorkerQueue<>(1, 0, true, 2);
        q.add("b1", "b", 0, NO_DEADLINE);
        q.add("a1", "a", 0, NO_DEADLINE);
        q.add("a2", "a", 0, NO_DEADLINE);
        q.add("a3", "a", 0, NO_DEADLINE);
        states.put("a", ModelState.READY);
        states.put("b", ModelState.BLOCKED);

        assertThat(q.next(0, this::state)).isEqualTo(new Dispatch.Run<>("a", List.of("a1")));
        assertThat(q.next(0, this::state)).isEqualTo(new Dispatch.Run<>("a", List.of("a2")));
        // b1 has been overtaken twice: the bound holds a3 back, so a's runs cannot keep b's room taken.
        assertThat(q.next(0, this::state)).isEqualTo(new Dispatch.Idle<>());
        states.put("b", ModelState.READY);
        assertThat(q.next(0, this::state)).isEqualTo(new Dispatch.Run<>("b", List.of("b1")));
        assertThat(q.next(0, this::state)).isEqualTo(new Dispatch.Run<>("a", List.of("a3")));
    }

    @ParameterizedTest
    @EnumSource(value = ModelState.class, names = {"LOADING", "AWAITING_LOADER"})
    void aHeadWhoseLoadIsUnderWayOrNextIsOvertakenWithoutBoundAndRunsFirstOnceLoaded(ModelState waiting) {
        WorkerQueue<String> q = new WorkerQueue<>(1, 0, true, 2);
        q.add("b1", "b", 0, NO_DEADLINE);
        for (int i = 1; i <= 5; i++) {
            q.add("a" + i, "a", 0, NO_DEADLINE);
        }
        q.add("b2", "b", 0, NO_DEADLINE);
        states.put("a", ModelState.READY);
        states.put("b", waiting);

        // Its load goes on whatever runs meanwhile: hits of a resident model need not wait for it.
        for (int i = 1; i <= 4; i++) {
            assertThat(q.next(0, this::state)).isEqualTo(new Dispatch.Run<>("a", List.of("a" + i)));
        }
        states.put("b", ModelState.READY);
        assertThat(q.next(0, this::state)).isEqualTo(new Dispatch.Run<>("b", List.of("b1")));
        assertThat(q.next(0, this::state)).isEqualTo(new Dispatch.Run<>("a", List.of("a5")));
    }

    @Test
    void aBlockedHeadLetsResidentModelsRunToo() {
        WorkerQueue<String> q = new WorkerQueue<>(4, 0, true, 8);
        q.add("b1", "b", 0, NO_DEADLINE);
        q.add("a1", "a", 0, NO_DEADLINE);
        states.put("a", ModelState.READY);
        states.put("b", ModelState.BLOCKED);
        assertThat(q.next(0, this::state)).isEqualTo(new Dispatch.Run<>("a", List.of("a1")));
    }

    @Test
    void aPartialBatchWaitsForItsDelayThenRuns() {
        WorkerQueue<String> q = new WorkerQueue<>(4, 10, false, 0);
        states.put("a", ModelState.READY);
        q.add("a1", "a", 100, NO_DEADLINE);
        q.add("a2", "a", 104, NO_DEADLINE);

        assertThat(q.next(105, this::state)).isEqualTo(new Dispatch.WaitUntil<>(110));
        q.add("a3", "a", 106, NO_DEADLINE);
        q.add("a4", "a", 107, NO_DEADLINE);
        // Full: no need to wait any longer.
        assertThat(q.next(107, this::state)).isEqualTo(new Dispatch.Run<>("a", List.of("a1", "a2", "a3", "a4")));
        q.add("a5", "a", 108, NO_DEADLINE);
        assertThat(q.next(118, this::state)).isEqualTo(new Dispatch.Run<>("a", List.of("a5")));
    }

    @Test
    void expiredAndUnloadableInvocationsLeaveTheQueue() {
        WorkerQueue<String> q = new WorkerQueue<>(1, 0, false, 0);
        q.add("a1", "a", 0, 50);
        q.add("b1", "b", 0, NO_DEADLINE);
        q.add("b2", "b", 0, 200);

        assertThat(q.removeExpired(100)).containsExactly("a1");
        assertThat(q.removeModel("b")).containsExactly("b1", "b2");
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.next(0, this::state)).isEqualTo(new Dispatch.Idle<>());
    }
}
