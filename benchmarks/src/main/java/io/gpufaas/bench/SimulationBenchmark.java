package io.gpufaas.bench;

import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.core.sim.AzureTrace;
import io.gpufaas.core.sim.Belady;
import io.gpufaas.core.sim.CostModel;
import io.gpufaas.core.sim.ModelCatalogue;
import io.gpufaas.core.sim.SimResult;
import io.gpufaas.core.sim.Simulator;
import io.gpufaas.core.sim.Workload;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The simulator on the real Azure trace: every policy on the same workload, side by side, with
 * ratios against load balancing and the clairvoyant bound on the hit ratio.
 *
 * <p>{@code scripts/bench-sim.sh [--functions 35] [--gpus 4] [--gpu-memory-gb 16] [--minutes 30]
 * [--start 600] [--compression 60 | --utilisation 0.8] [--durations model|trace] [--eviction lru] [--seed 1]
 * [--trace FILE_inv.csv] [--single-slot]}
 */
public final class SimulationBenchmark {

    /** Every policy, baselines first, ours last: the order every report lists them in. */
    static final List<String> POLICIES = java.util.Arrays.stream(PolicyName.values()).map(PolicyName::toString).toList();

    private SimulationBenchmark() {}

    /** The trace a benchmark's {@code --trace} names, or the sample in {@code ../shared/data} by default. */
    static AzureTrace trace(Path sharedData, Path tracePath) {
        return tracePath != null ? AzureTrace.read(tracePath) : AzureTrace.read(sharedData.resolve("azure-functions-2019-sample"), "1000");
    }

    /** The model catalogue every simulated workload draws its models from, in {@code ../shared/data}. */
    static ModelCatalogue catalogue(Path sharedData) {
        return ModelCatalogue.read(sharedData.resolve("models").resolve("torchvision-classification-weights.csv"));
    }

    public static void main(String[] args) {
        BenchArgs a = BenchArgs.parse(args, "single-slot");
        Path shared = a.path("shared-data", Path.of("..", "shared", "data"));
        Path tracePath = a.path("trace", null); // default: the shared sample
        int functions = a.integer("functions", 35);
        int gpus = a.integer("gpus", 4);
        double memoryGb = a.decimal("gpu-memory-gb", 16);
        int minutes = a.integer("minutes", 30);
        int start = a.integer("start", 600);
        double compression = a.decimal("compression", 60);
        long seed = a.longValue("seed", 1);
        boolean singleSlot = a.flag("single-slot");
        double utilisation = a.decimal("utilisation", 0);
        boolean traceDurations = a.string("durations", "model").equals("trace");
        String eviction = a.string("eviction", "lru");
        a.done();
        AzureTrace trace = trace(shared, tracePath);
        ModelCatalogue catalogue = catalogue(shared);
        CostModel cost = CostModel.v100FromHost();
        Workload w = Workload.build(trace, catalogue, cost,
                new Workload.Spec(functions, start, minutes, utilisation > 0 ? 1 : compression, seed, false, traceDurations));
        if (utilisation > 0) {
            w = w.atUtilisation(utilisation, gpus, minutes * 60_000.0); // instead of a compression factor
        }
        long memory = (long) (memoryGb * (1L << 30));
        // The job's own settings (slots per worker, concurrency, batching, report delay), unless
        // --single-slot asks for the simulator as it was before it ran the job's router.
        Simulator.Config config = singleSlot ? Simulator.Config.singleSlot(gpus, memory) : EvaluationGrid.config(new EvaluationGrid.Fleet(gpus, memoryGb), eviction);
        System.out.printf(Locale.ROOT, "settings: %s%n", singleSlot ? "one slot per GPU, no batching, no report delay"
                : String.format(Locale.ROOT, "the job's: %d slots per worker, concurrency %d, batches of up to %d, "
                        + "eviction %s, report delay %.0f ms", config.router().slotsPerWorker(), config.worker().concurrency(),
                        config.worker().maxBatch(), config.worker().evictionPolicy(), config.reportDelayMs()));
        System.out.printf(Locale.ROOT, "%d invocations of %d functions (working set %.1f GiB) over %.0f s on %d GPUs x %.0f GiB%n",
                w.invocations(), functions, w.workingSetBytes() / (double) (1L << 30), w.durationMs() / 1000, gpus, memoryGb);
        List<SimResult> results = new ArrayList<>();
        long t0 = System.nanoTime();
        for (String p : POLICIES) {
            results.add(Simulator.run(w, config.withPolicy(PolicyName.of(p))));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        SimResult lb = results.get(0);
        System.out.println("| policy | mean ms | p50 ms | p99 ms | hit ratio | mean vs round-robin |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
        for (SimResult r : results) {
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.3f | %.1fx |%n", r.policy(), r.meanMs(),
                    r.quantileMs(0.5), r.quantileMs(0.99), r.hitRatio(), lb.meanMs() / r.meanMs());
        }
        System.out.printf(Locale.ROOT, "| belady (aggregate memory) | | | | %.3f | |%n", Belady.hitRatio(w, memory * gpus));
        System.out.printf(Locale.ROOT, "%n%d simulated invocations in %.2f s%n", w.invocations() * POLICIES.size(), seconds);
    }
}
