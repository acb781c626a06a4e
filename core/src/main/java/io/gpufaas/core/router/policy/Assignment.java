package io.gpufaas.core.router.policy;

import java.util.List;

/**
 * The router's plan for one invocation, which the worker executes as given: evict these models,
 * load this one if {@code load}, then run.
 */
public record Assignment<T>(T item, String model, int worker, boolean load, List<String> evict) {

    /** A cache hit: the model is resident on the chosen worker. */
    public boolean hit() {
        return !load;
    }
}
