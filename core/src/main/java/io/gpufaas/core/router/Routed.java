package io.gpufaas.core.router;

import io.gpufaas.core.contract.Invocation;
import java.util.List;

/**
 * An invocation on its way to the worker the router chose, with the evictions the router planned
 * there: the worker evicts {@code evict} (skipping any in use), then runs the invocation, loading
 * its model if its own cache lacks it. {@code load} is the router's expectation of that miss, for
 * tests and logs; no worker reads it.
 */
public record Routed(Invocation invocation, int worker, boolean load, List<String> evict) {

    public Routed {
        evict = evict == null ? List.of() : List.copyOf(evict);
    }
}
