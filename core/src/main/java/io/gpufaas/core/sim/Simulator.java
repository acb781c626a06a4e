package io.gpufaas.core.sim;

import io.gpufaas.core.router.Assignment;
import io.gpufaas.core.router.Request;
import io.gpufaas.core.router.RoutingPolicies;
import io.gpufaas.core.router.Scheduler;
import io.gpufaas.core.router.WorkerView;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A discrete-event simulation of a GPU pool driving the same {@link Scheduler}, policies and
 * {@link io.gpufaas.core.cache.ModelCache} the job runs; only time is simulated. A dispatched
 * invocation occupies a GPU slot for its load (on a miss) plus its run.
 */
public final class Simulator {

    /**
     * @param gpus GPUs in the pool
     * @param gpuMemoryBytes memory per GPU for models
     * @param slotsPerGpu invocations a GPU runs at once
     */
    public record Config(int gpus, long gpuMemoryBytes, int slotsPerGpu, int maxBypass, int window) {
        public static Config of(int gpus, long gpuMemoryBytes) {
            return new Config(gpus, gpuMemoryBytes, 1, 64, 64);
        }
    }

    private record Completion(double atMs, int worker, String model, double arrivalMs) {}

    private Simulator() {}

    public static SimResult run(Workload w, String policy, Config c) {
        List<WorkerView> views = new ArrayList<>();
        for (int i = 0; i < c.gpus(); i++) {
            views.add(new WorkerView(i, c.gpuMemoryBytes(), c.slotsPerGpu()));
        }
        Scheduler<Integer> scheduler = new Scheduler<>(RoutingPolicies.create(policy), views, c.maxBypass(), c.window());
        PriorityQueue<Completion> running = new PriorityQueue<>((a, b) -> Double.compare(a.atMs(), b.atMs()));
        double[] latencies = new double[w.invocations()];
        long hits = 0;
        long misses = 0;
        int done = 0;
        int next = 0;
        double now = 0;
        while (done < w.invocations()) {
            boolean arrival = next < w.invocations()
                    && (running.isEmpty() || w.arrivalMs()[next] <= running.peek().atMs());
            if (arrival) {
                now = w.arrivalMs()[next];
                int f = w.function()[next];
                scheduler.submit(new Request<>(next, w.models().get(f), w.bytes()[f], w.loadMs()[f], w.execMs()[f], (long) now));
                next++;
            } else if (!running.isEmpty()) {
                Completion end = running.poll();
                now = end.atMs();
                scheduler.complete(end.worker(), end.model());
                latencies[done++] = now - end.arrivalMs();
            } else {
                throw new IllegalStateException("invocations wait but nothing runs: a model fits no GPU");
            }
            for (Assignment<Integer> a : scheduler.dispatch(now)) {
                int inv = a.item();
                int f = w.function()[inv];
                if (a.load()) {
                    misses++;
                } else {
                    hits++;
                }
                double busy = (a.load() ? w.loadMs()[f] : 0) + w.execMs()[f];
                running.add(new Completion(now + busy, a.worker(), a.model(), w.arrivalMs()[inv]));
            }
        }
        return new SimResult(policy, latencies, hits, misses, now);
    }
}
