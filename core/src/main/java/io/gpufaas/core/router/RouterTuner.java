package io.gpufaas.core.router;

import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * What a {@code tuned} router tells the one that chooses its candidate policy
 * ({@code io.gpufaas.core.sim.PolicyTuner}, which replays through the simulator: the simulator
 * depends on the router, never the other way round). Called from the router's one thread.
 */
public interface RouterTuner {

    /** What the router holds now: every worker's resident models, and the models of invocations waiting. */
    record Snapshot(List<Residency> resident, List<String> waiting) {
        public Snapshot {
            resident = List.copyOf(resident);
            waiting = List.copyOf(waiting);
        }
    }

    /**
     * An invocation of {@code model} arrived at {@code nowMs}. {@code snapshot} gives the router's
     * state with at most the given number of waiting invocations; {@code stats} what it learned of a model.
     */
    void arrived(String model, double nowMs, IntFunction<Snapshot> snapshot, Function<String, ModelStats> stats);

    /** A worker reported a batch of {@code completed} inputs of {@code model} that ran {@code batchMs}. */
    void reported(String model, long batchMs, int completed);

    /** At the start of each dispatch: switches the policy if a finished replay says so. */
    void apply();
}
