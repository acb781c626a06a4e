package io.gpufaas.bench;

import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.core.sim.AzureTrace;
import io.gpufaas.core.sim.Belady;
import io.gpufaas.core.sim.CostModel;
import io.gpufaas.core.sim.ModelCatalogue;
import io.gpufaas.core.sim.SimResult;
import io.gpufaas.core.sim.Simulator;
import io.gpufaas.core.sim.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.configuration.Configuration;

/**
 * The evaluation protocol: every policy in every cell of a grid, instead of one operating point.
 * A cell is a 30-minute slice of the trace x a seed (which functions, which models, which arrivals)
 * x a working set (how many functions) x a fleet x an offered utilisation (the work the slice
 * offers if every call hit, divided by the fleet's capacity: time is stretched or squeezed to
 * reach it). Each function runs its model's cost scaled by its trace duration against the trace's
 * median. Plus the whole day on 1,000 GPUs at three loads. {@link GridReport} summarises.
 *
 * <p>{@code scripts/bench-grid.sh [--quick] [--trace FILE] [--out docs/evaluation] [--threads N]
 * [--slices 12] [--seeds 3] [--loads 0.2,0.4,...] [--working-sets 35,100,350] [--eviction lru]
 * [--durations trace|model] [--max-slots 4] [--fleet-day true] [--rename TAG]}
 */
public final class EvaluationGrid {

    static final String OURS = "demand";
    static final int SLICE_MINUTES = 30;

    /** A pool of {@code gpus} devices with {@code memoryGib} each for models. */
    record Fleet(int gpus, double memoryGib) {

        /** {@code GPUSxGIB}, e.g. {@code 4x2.5}: what {@code --fleets} lists. */
        static Fleet parse(String spec) {
            String[] parts = spec.split("x");
            if (parts.length != 2) {
                throw new IllegalArgumentException("a fleet is GPUSxGIB (e.g. 4x2.5), was " + spec);
            }
            return new Fleet(Integer.parseInt(parts[0].trim()), Double.parseDouble(parts[1].trim()));
        }

        long memoryBytes() {
            return (long) (memoryGib * (1L << 30));
        }

        String label() {
            return String.format(Locale.ROOT, "%dx%sGiB", gpus, memoryGib == Math.rint(memoryGib)
                    ? String.valueOf((long) memoryGib) : String.valueOf(memoryGib));
        }
    }

    /** One cell of the grid. */
    record Cell(int startMinute, long seed, int workingSet, Fleet fleet, double load) {}

    /**
     * One policy's run of one cell. {@code seconds}: the run's wall-clock time; {@code simulatedSeconds}:
     * how long its arrivals span in simulated time (the trace squeezed or stretched to the cell's load).
     */
    record Outcome(Cell cell, String policy, double meanMs, double p99Ms, double hitRatio, double busyGpuSeconds,
            double beladyHitRatio, int invocations, double seconds, double simulatedSeconds) {}

    /** What the grid spans. */
    record Spec(List<Integer> slices, int seeds, List<Integer> workingSets, List<Fleet> fleets, List<Double> loads,
            List<String> policies, boolean traceDurations, String eviction, int maxSlots, String modelTag) {}

    private EvaluationGrid() {}

    public static void main(String[] args) throws Exception {
        BenchArgs a = BenchArgs.parse(args, "quick");
        Path shared = a.path("shared-data", Path.of("..", "shared", "data"));
        Path tracePath = a.path("trace", null);
        Path out = a.path("out", Path.of("docs", "evaluation"));
        boolean quick = a.flag("quick");
        int threads = a.integer("threads", Runtime.getRuntime().availableProcessors());
        int slices = a.integer("slices", quick ? 4 : 12);
        int seeds = a.integer("seeds", quick ? 1 : 3);
        List<Double> loads = a.decimals("loads", quick ? List.of(0.4, 0.8, 1.1) : List.of(0.2, 0.4, 0.6, 0.8, 0.95, 1.1));
        List<Integer> workingSets = a.integers("working-sets", quick ? List.of(35, 100) : List.of(35, 100, 350));
        boolean traceDurations = traceDurations(a);
        String eviction = a.string("eviction", "lru");
        boolean fleetDay = Boolean.parseBoolean(a.string("fleet-day", quick ? "false" : "true"));
        List<String> policies = a.strings("policies", SimulationBenchmark.POLICIES);
        int maxSlots = a.integer("max-slots", 0); // 0: the job's default (adaptive credits)
        String window = a.string("window", ""); // FROM-TO trace minutes the slices come from: a split
        List<Fleet> fleets = a.strings("fleets", List.of("4x2.5", "16x16")).stream().map(Fleet::parse).toList();
        // Appended to every model's name (Workload.renamed): the same grid under another placement
        // luck for the policies that hash names.
        String rename = a.string("rename", "");
        a.done();
        AzureTrace trace = SimulationBenchmark.trace(shared, tracePath);
        ModelCatalogue catalogue = SimulationBenchmark.catalogue(shared);
        Spec spec = new Spec(sliceStarts(trace, slices, window), seeds, workingSets,
                fleets, loads, policies, traceDurations, eviction, maxSlots, rename);
        long t0 = System.nanoTime();
        List<Outcome> grid = run(trace, catalogue, spec, threads);
        double gridSeconds = (System.nanoTime() - t0) / 1e9;
        List<Outcome> day = List.of();
        double daySeconds = 0;
        if (fleetDay) {
            t0 = System.nanoTime();
            day = fleetDay(trace, catalogue, spec, List.of(0.2, 0.6, 0.95), threads);
            daySeconds = (System.nanoTime() - t0) / 1e9;
        }
        Files.createDirectories(out);
        String command = "scripts/bench-grid.sh " + String.join(" ", args);
        String md = new GridReport(spec, grid, day, tracePath == null ? "the shared Azure Functions 2019 sample" : tracePath.toString(),
                command.trim(), gridSeconds, daySeconds, threads).write(out, quick ? "grid-quick" : "grid");
        System.out.print(md);
        writeCells(out.resolve((quick ? "grid-quick" : "grid") + "-cells.csv"), grid);
    }

    /** Every policy's outcome in every cell, for analyses the report does not make. */
    static void writeCells(Path file, List<Outcome> grid) throws java.io.IOException {
        StringBuilder csv = new StringBuilder("start,seed,functions,gpus,memory_gib,load,policy,mean_ms,p99_ms,hit_ratio,invocations\n");
        for (Outcome o : grid) {
            Cell c = o.cell();
            csv.append(c.startMinute()).append(',').append(c.seed()).append(',').append(c.workingSet()).append(',')
                    .append(c.fleet().gpus()).append(',').append(c.fleet().memoryGib()).append(',').append(c.load()).append(',')
                    .append(o.policy()).append(',').append(o.meanMs()).append(',').append(o.p99Ms()).append(',')
                    .append(o.hitRatio()).append(',').append(o.invocations()).append('\n');
        }
        Files.writeString(file, csv);
    }

    /**
     * {@code n} slice starts spread evenly over {@code window} ("FROM-TO" trace minutes, e.g.
     * "0-720" for the first 12 hours; empty: the whole trace), the last ending at its end: one
     * half of a trace to tune on, the other to report on.
     */
    static List<Integer> sliceStarts(AzureTrace trace, int n, String window) {
        int from = 0;
        int to = trace.minutes();
        if (!window.isEmpty()) {
            String[] bounds = window.split("-", 2);
            if (bounds.length != 2) {
                throw new IllegalArgumentException("--window is FROM-TO in trace minutes (e.g. 0-720), was " + window);
            }
            from = Integer.parseInt(bounds[0].trim());
            to = Integer.parseInt(bounds[1].trim());
            if (from < 0 || to > trace.minutes() || to <= from) {
                throw new IllegalArgumentException("--window " + window + " is not within the trace's " + trace.minutes()
                        + " minutes");
            }
        }
        int last = to - SLICE_MINUTES;
        if (last < from) {
            throw new IllegalArgumentException("minutes " + from + "-" + to + " hold fewer than one " + SLICE_MINUTES
                    + "-minute slice");
        }
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            starts.add(n == 1 ? from : from + (int) Math.round(i * (last - from) / (double) (n - 1)));
        }
        return starts;
    }

    /** Every cell of {@code spec}, each cell's policies on one thread, cells over {@code threads}. */
    static List<Outcome> run(AzureTrace trace, ModelCatalogue catalogue, Spec spec, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Outcome>>> futures = new ArrayList<>();
            for (int start : spec.slices()) {
                for (long seed = 1; seed <= spec.seeds(); seed++) {
                    for (int ws : spec.workingSets()) {
                        if (trace.activeFunctions(start, SLICE_MINUTES) < ws) {
                            continue; // reported as a missing cell
                        }
                        long s = seed;
                        futures.add(pool.submit(() -> {
                            Workload base = sliceWorkload(trace, catalogue, start, s, ws, spec.traceDurations())
                                    .renamed(spec.modelTag());
                            List<Outcome> outcomes = new ArrayList<>();
                            for (Fleet fleet : spec.fleets()) {
                                for (double load : spec.loads()) {
                                    Cell cell = new Cell(start, s, ws, fleet, load);
                                    Workload w = cellWorkload(base, cell);
                                    outcomes.addAll(runCell(cell, w, spec));
                                }
                            }
                            return outcomes;
                        }));
                    }
                }
            }
            List<Outcome> all = new ArrayList<>();
            for (Future<List<Outcome>> f : futures) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * {@code --durations}: {@code trace} (the default: each function's model cost scaled by its
     * trace duration) or {@code model} (the model's cost alone); anything else fails.
     */
    static boolean traceDurations(BenchArgs a) {
        String durations = a.string("durations", "trace");
        if (!durations.equals("trace") && !durations.equals("model")) {
            throw new IllegalArgumentException("--durations is trace or model, was " + durations);
        }
        return durations.equals("trace");
    }

    /**
     * A slice's workload before it is scaled to a load: what every cell of one slice, seed and
     * working set shares.
     */
    static Workload sliceWorkload(AzureTrace trace, ModelCatalogue catalogue, int startMinute, long seed, int workingSet,
            boolean traceDurations) {
        return Workload.build(trace, catalogue, CostModel.v100FromHost(), new Workload.Spec(workingSet, startMinute,
                SLICE_MINUTES, 1, seed, false, traceDurations));
    }

    /** One cell's workload: its slice's, scaled to the cell's load on the cell's fleet. */
    static Workload cellWorkload(Workload slice, Cell cell) {
        return slice.atUtilisation(cell.load(), cell.fleet().gpus(), SLICE_MINUTES * 60_000.0);
    }

    private static List<Outcome> runCell(Cell cell, Workload w, Spec spec) {
        double belady = Belady.hitRatio(w, cell.fleet().memoryBytes() * cell.fleet().gpus());
        Simulator.Config config = config(cell.fleet(), spec);
        List<Outcome> outcomes = new ArrayList<>();
        for (String policy : spec.policies()) {
            long t0 = System.nanoTime();
            SimResult r;
            try {
                r = Simulator.run(w, config.withPolicy(PolicyName.of(policy)));
            } catch (RuntimeException e) {
                throw new IllegalStateException(policy + " failed in " + cell, e); // which cell, to rerun it alone
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            outcomes.add(new Outcome(cell, policy, r.meanMs(), r.quantileMs(0.99), r.hitRatio(), r.busyGpuMs() / 1000,
                    belady, w.invocations(), seconds, w.durationMs() / 1000));
        }
        return outcomes;
    }

    /** The job's settings on {@code fleet}, with the router and workers evicting by {@code eviction}. */
    static Simulator.Config config(Fleet fleet, String eviction) {
        return config(fleet, eviction, 0);
    }

    private static Simulator.Config config(Fleet fleet, Spec spec) {
        return config(fleet, spec.eviction(), spec.maxSlots());
    }

    /** ... and at most {@code maxSlots} credits per worker (0: the job's default). */
    static Simulator.Config config(Fleet fleet, String eviction, int maxSlots) {
        Configuration conf = new Configuration();
        conf.set(io.gpufaas.job.GpuFaasOptions.EVICTION_POLICY, eviction);
        if (maxSlots > 0) {
            conf.set(io.gpufaas.job.GpuFaasOptions.ROUTER_MAX_SLOTS, maxSlots);
        }
        return SimConfigs.job(fleet.gpus(), fleet.memoryBytes(), conf);
    }

    /** The whole trace, every function, on 1,000 GPUs x 16 GiB at each of {@code loads}: one policy per task. */
    static List<Outcome> fleetDay(AzureTrace trace, ModelCatalogue catalogue, Spec spec, List<Double> loads, int threads)
            throws Exception {
        Fleet fleet = new Fleet(1000, 16);
        Workload base = Workload.build(trace, catalogue, CostModel.v100FromHost(), new Workload.Spec(
                trace.activeFunctions(0, trace.minutes()), 0, trace.minutes(), 1, 1, false, spec.traceDurations()))
                .renamed(spec.modelTag());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (double load : loads) {
                Workload w = base.atUtilisation(load, fleet.gpus(), trace.minutes() * 60_000.0);
                Cell cell = new Cell(0, 1, base.models().size(), fleet, load);
                double belady = Belady.hitRatio(w, fleet.memoryBytes() * fleet.gpus());
                for (String policy : spec.policies()) {
                    futures.add(pool.submit(() -> {
                        long t0 = System.nanoTime();
                        SimResult r = Simulator.run(w, config(fleet, spec).withPolicy(PolicyName.of(policy)));
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        return new Outcome(cell, policy, r.meanMs(), r.quantileMs(0.99), r.hitRatio(), r.busyGpuMs() / 1000,
                                belady, w.invocations(), seconds, w.durationMs() / 1000);
                    }));
                }
            }
            List<Outcome> all = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                all.add(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The {@code q}-quantile of {@code values} (nearest rank); NaN when empty. */
    static double quantile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        return v[Math.max(0, Math.min(v.length - 1, (int) Math.ceil(q * v.length) - 1))];
    }
}
