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
 *
 * <p>Devices run independently unless {@link Config#hostCores} says they share a host's cores, as
 * CPU workers do: then every running load and run progresses at {@code min(1, cores / running)}
 * of full speed (processor sharing). Sharing slows all running work alike, so their completion
 * order never changes; completions are kept in "virtual time", which advances at that rate.
 */
public final class Simulator {

    /**
     * @param gpus GPUs in the pool
     * @param gpuMemoryBytes memory per GPU for models
     * @param slotsPerGpu invocations a GPU runs at once
     */
    public record Config(int gpus, long gpuMemoryBytes, int slotsPerGpu, int maxBypass, int window, int hostCores) {
        public Config(int gpus, long gpuMemoryBytes, int slotsPerGpu, int maxBypass, int window) {
            this(gpus, gpuMemoryBytes, slotsPerGpu, maxBypass, window, 0);
        }

        public static Config of(int gpus, long gpuMemoryBytes) {
            return new Config(gpus, gpuMemoryBytes, 1, 64, 64);
        }

        /** The same pool, its work sharing {@code cores} host cores (0: every device runs on its own). */
        public Config withHostCores(int cores) {
            return new Config(gpus, gpuMemoryBytes, slotsPerGpu, maxBypass, window, cores);
        }
    }

    /** {@code virtualEndMs}: when it ends in virtual time, which runs slower than real time while cores are shared. */
    private record Completion(double virtualEndMs, int worker, String model, double arrivalMs) {}

    private Simulator() {}

    public static SimResult run(Workload w, String policy, Config c) {
        List<WorkerView> views = new ArrayList<>();
        for (int i = 0; i < c.gpus(); i++) {
            views.add(new WorkerView(i, c.gpuMemoryBytes(), c.slotsPerGpu()));
        }
        Scheduler<Integer> scheduler = new Scheduler<>(RoutingPolicies.create(policy), views, c.maxBypass(), c.window());
        PriorityQueue<Completion> running = new PriorityQueue<>((a, b) -> Double.compare(a.virtualEndMs(), b.virtualEndMs()));
        double[] latencies = new double[w.invocations()];
        long hits = 0;
        long misses = 0;
        int done = 0;
        int next = 0;
        double now = 0;
        double virtual = 0;
        while (done < w.invocations()) {
            double rate = c.hostCores() <= 0 || running.isEmpty() ? 1 : Math.min(1.0, c.hostCores() / (double) running.size());
            double nextEnd = running.isEmpty() ? Double.POSITIVE_INFINITY
                    : c.hostCores() <= 0 ? running.peek().virtualEndMs() : now + (running.peek().virtualEndMs() - virtual) / rate;
            boolean arrival = next < w.invocations() && w.arrivalMs()[next] <= nextEnd;
            double t;
            if (arrival) {
                t = w.arrivalMs()[next];
            } else if (!running.isEmpty()) {
                t = nextEnd;
            } else {
                throw new IllegalStateException("invocations wait but nothing runs: a model fits no GPU");
            }
            virtual = c.hostCores() <= 0 ? t : virtual + (t - now) * rate;
            now = t;
            if (arrival) {
                int f = w.function()[next];
                scheduler.submit(new Request<>(next, w.models().get(f), w.bytes()[f], w.loadMs()[f], w.execMs()[f], (long) now));
                next++;
            } else {
                Completion end = running.poll();
                scheduler.complete(end.worker(), end.model());
                latencies[done++] = now - end.arrivalMs();
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
                running.add(new Completion(virtual + busy, a.worker(), a.model(), w.arrivalMs()[inv]));
            }
        }
        return new SimResult(policy, latencies, hits, misses, now);
    }
}
