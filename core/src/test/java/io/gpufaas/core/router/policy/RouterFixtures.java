package io.gpufaas.core.router.policy;

import java.util.ArrayList;
import java.util.List;

/** Hand-sized router scenarios: 100-byte models, 1 slot per worker, load 100 ms, run 10 ms. */
public final class RouterFixtures {

    private RouterFixtures() {}

    public static List<WorkerView> workers(int n, long capacity) {
        List<WorkerView> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new WorkerView(i, capacity, 1));
        }
        return list;
    }

    public static Request<String> req(String id, String model) {
        return new Request<>(id, model, 100, 100, 10, 0);
    }

    /** Makes {@code model} resident on {@code w} and frees the slot again. */
    public static void preload(WorkerView w, String model) {
        w.start(req("pre", model), 0);
        w.complete(model);
    }
}
