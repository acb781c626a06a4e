package io.gpufaas.core.router;

import java.util.List;
import java.util.OptionalInt;

/** Load balancing only: the next free worker in turn, wherever the model is. A FaaS default. */
public final class RoundRobinPolicy implements RoutingPolicy {

    public static final String NAME = "round-robin";

    private int next;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public OptionalInt choose(Request<?> request, List<WorkerView> workers, double nowMs) {
        int n = workers.size();
        for (int i = 0; i < n; i++) {
            WorkerView w = workers.get((next + i) % n);
            if (Workers.placeable(request, w)) {
                next = (w.id() + 1) % n;
                return OptionalInt.of(w.id());
            }
        }
        return OptionalInt.empty();
    }
}
