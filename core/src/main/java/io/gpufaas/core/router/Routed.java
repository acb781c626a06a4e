package io.gpufaas.core.router;

import io.gpufaas.core.contract.Invocation;
import java.util.List;

/**
 * An invocation on its way to the worker the router chose, with the plan to execute there:
 * evict {@code evict}, load the model if {@code load}, run.
 */
public record Routed(Invocation invocation, int worker, boolean load, List<String> evict) {

    public Routed {
        evict = evict == null ? List.of() : List.copyOf(evict);
    }
}
