package io.gpufaas.bench;

import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.core.sim.AzureTrace;
import io.gpufaas.core.sim.ModelCatalogue;
import io.gpufaas.core.sim.SimResult;
import io.gpufaas.core.sim.Simulator;
import io.gpufaas.core.sim.Workload;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One cell of the evaluation grid, taken apart: where a policy loses a cell, and why. Builds the
 * cell's workload exactly as the grid does ({@link EvaluationGrid#sliceWorkload}, the job's
 * settings), runs each policy on it, and prints Markdown: each policy's mean and p99; each busy
 * function's calls, model size, load and run time and its mean / worst latency under each policy;
 * the mean latency of the invocations arriving in each window; and, for one policy, the
 * dispatches of the hottest functions per worker per window and every load with what it evicted.
 * The diagnoses in docs/benchmarks.md were read off this.
 *
 * <p>{@code scripts/bench-cell.sh --start MINUTE [--trace FILE_inv.csv] [--seed 1] [--functions 35]
 * [--fleet 4x2.5] [--load 0.6] [--policies demand,round-robin,least-loaded] [--window-ms 1000]
 * [--log demand] [--hot 2] [--durations trace|model] [--rename TAG]}
 */
public final class CellReport {

    private CellReport() {}

    public static void main(String[] args) {
        BenchArgs a = BenchArgs.parse(args);
        Path shared = a.path("shared-data", Path.of("..", "shared", "data"));
        Path tracePath = a.path("trace", null);
        int start = a.integer("start", -1);
        long seed = a.integer("seed", 1);
        int functions = a.integer("functions", 35);
        EvaluationGrid.Fleet fleet = EvaluationGrid.Fleet.parse(a.string("fleet", "4x2.5"));
        double load = a.decimal("load", 0.6);
        List<String> policies = a.strings("policies", List.of("demand", "round-robin", "least-loaded"));
        double windowMs = a.decimal("window-ms", 1000);
        String logged = a.string("log", policies.get(0));
        int hot = a.integer("hot", 2);
        String rename = a.string("rename", ""); // bench-grid.sh --rename's: the cell under another placement luck
        boolean traceDurations = EvaluationGrid.traceDurations(a);
        a.done();
        if (start < 0) {
            throw new IllegalArgumentException("--start MINUTE is required: the slice's first minute, as the grid names it");
        }
        if (!(windowMs > 0)) {
            throw new IllegalArgumentException("--window-ms must be positive, was " + windowMs);
        }
        policies.forEach(PolicyName::of); // an unknown name fails before any run
        PolicyName.of(logged);

        AzureTrace trace = SimulationBenchmark.trace(shared, tracePath);
        ModelCatalogue catalogue = SimulationBenchmark.catalogue(shared);
        EvaluationGrid.Cell cell = new EvaluationGrid.Cell(start, seed, functions, fleet, load);
        Workload w = EvaluationGrid.cellWorkload(
                EvaluationGrid.sliceWorkload(trace, catalogue, start, seed, functions, traceDurations).renamed(rename), cell);
        Simulator.Config config = EvaluationGrid.config(fleet, "lru");

        System.out.printf(Locale.ROOT, "# One cell: %s, start %d, seed %d, %d functions, %s, u = %s%n%n",
                tracePath == null ? "the shared sample" : tracePath.toString(), start, seed, functions, fleet.label(), load);
        System.out.printf(Locale.ROOT, "%d invocations over %.0f ms. Reproduce: `scripts/bench-cell.sh %s`%n%n",
                w.invocations(), w.durationMs(), String.join(" ", args));

        int models = w.models().size();
        int[] calls = new int[models];
        for (int i = 0; i < w.invocations(); i++) {
            calls[w.function()[i]]++;
        }
        Integer[] byCalls = new Integer[models];
        for (int f = 0; f < models; f++) {
            byCalls[f] = f;
        }
        Arrays.sort(byCalls, (x, y) -> calls[y] != calls[x] ? calls[y] - calls[x] : x - y);

        List<SimResult> results = new ArrayList<>();
        System.out.println("| policy | mean ms | p99 ms | hit ratio |");
        System.out.println("| --- | ---: | ---: | ---: |");
        DispatchTable table = null;
        for (String policy : policies) {
            Simulator.Config c = config.withPolicy(PolicyName.of(policy));
            SimResult r;
            if (policy.equals(logged) && table == null) {
                table = new DispatchTable(w, fleet.gpus(), windowMs, Arrays.asList(byCalls).subList(0, Math.min(hot, models)));
                r = Simulator.run(w, c, table::dispatched);
            } else {
                r = Simulator.run(w, c);
            }
            results.add(r);
            System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.3f |%n", policy, r.meanMs(), r.quantileMs(0.99), r.hitRatio());
        }

        System.out.println();
        System.out.println("Per function (the 15 busiest, then the slowest of the rest): mean / worst latency, ms.");
        System.out.println();
        System.out.println("| function | calls | MB | load ms | run ms | " + String.join(" | ", policies) + " |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |" + " ---: |".repeat(policies.size()));
        double[][] mean = new double[policies.size()][models];
        double[][] worst = new double[policies.size()][models];
        for (int p = 0; p < policies.size(); p++) {
            for (int i = 0; i < w.invocations(); i++) {
                double l = results.get(p).latencyOfInvocationMs(i);
                mean[p][w.function()[i]] += l / calls[w.function()[i]];
                worst[p][w.function()[i]] = Math.max(worst[p][w.function()[i]], l);
            }
        }
        for (int k = 0; k < models && k < 15; k++) {
            functionRow(w, byCalls[k], calls, mean, worst);
        }
        // Past the busiest, the one a single slow call made worst: where a rare model's load sat.
        int slowest = -1;
        for (int k = 15; k < models; k++) {
            int f = byCalls[k];
            if (calls[f] > 0 && (slowest < 0 || worst[0][f] > worst[0][slowest])) {
                slowest = f;
            }
        }
        if (slowest >= 0) {
            functionRow(w, slowest, calls, mean, worst);
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "By arrival, %.0f ms windows: invocations, then each policy's mean / worst latency, ms.%n%n",
                windowMs);
        int windows = (int) Math.ceil(w.durationMs() / windowMs) + 1;
        int[] arrived = new int[windows];
        double[][] windowSum = new double[policies.size()][windows];
        double[][] windowWorst = new double[policies.size()][windows];
        for (int i = 0; i < w.invocations(); i++) {
            int k = (int) (w.arrivalMs()[i] / windowMs);
            arrived[k]++;
            for (int p = 0; p < policies.size(); p++) {
                double l = results.get(p).latencyOfInvocationMs(i);
                windowSum[p][k] += l;
                windowWorst[p][k] = Math.max(windowWorst[p][k], l);
            }
        }
        System.out.println("| from ms | arrivals | " + String.join(" | ", policies) + " |");
        System.out.println("| ---: | ---: |" + " ---: |".repeat(policies.size()));
        for (int k = 0; k < windows; k++) {
            if (arrived[k] == 0) {
                continue;
            }
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %.0f | %d |", k * windowMs, arrived[k]));
            for (int p = 0; p < policies.size(); p++) {
                row.append(String.format(Locale.ROOT, " %.0f / %.0f |", windowSum[p][k] / arrived[k], windowWorst[p][k]));
            }
            System.out.println(row);
        }
        if (table != null) {
            table.print(logged);
        }
    }

    private static void functionRow(Workload w, int f, int[] calls, double[][] mean, double[][] worst) {
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| f%d | %d | %d | %.0f | %.1f |", f, calls[f],
                w.bytes()[f] >> 20, w.loadMs()[f], w.execMs()[f]));
        for (int p = 0; p < mean.length; p++) {
            row.append(String.format(Locale.ROOT, " %.0f / %.0f |", mean[p][f], worst[p][f]));
        }
        System.out.println(row);
    }

    /** One policy's dispatches, per window and worker for the hottest functions, and its loads. */
    private static final class DispatchTable {
        private final Workload w;
        private final int workers;
        private final double windowMs;
        private final List<Integer> hot;
        private final Map<String, Integer> index = new HashMap<>();
        /** Per window: per hot function, then all others, the dispatches each worker took. */
        private final Map<Integer, int[][]> perWindow = new java.util.TreeMap<>();
        private final double[] runMs;
        private final List<String> loads = new ArrayList<>();

        DispatchTable(Workload w, int workers, double windowMs, List<Integer> hot) {
            this.w = w;
            this.workers = workers;
            this.windowMs = windowMs;
            this.hot = hot;
            this.runMs = new double[workers];
            for (int f = 0; f < w.models().size(); f++) {
                index.put(w.models().get(f), f);
            }
        }

        void dispatched(double atMs, io.gpufaas.core.router.policy.Assignment<?> a) {
            int f = index.get(a.model());
            runMs[a.worker()] += w.execMs()[f];
            int row = hot.indexOf(f);
            perWindow.computeIfAbsent((int) (atMs / windowMs), k -> new int[hot.size() + 1][workers])
                    [row < 0 ? hot.size() : row][a.worker()]++;
            if (a.load()) {
                loads.add(String.format(Locale.ROOT, "| %.0f | f%d | %d | %s |", atMs, f, a.worker(),
                        a.evict().stream().map(m -> "f" + index.get(m)).collect(Collectors.joining(", "))));
            }
        }

        void print(String policy) {
            System.out.println();
            System.out.printf(Locale.ROOT, "%s's dispatches per worker (worker 0 first), %.0f ms windows:%n%n", policy, windowMs);
            List<String> names = new ArrayList<>();
            hot.forEach(f -> names.add("f" + f));
            names.add("others");
            System.out.println("| from ms | " + String.join(" | ", names) + " |");
            System.out.println("| ---: |" + " --- |".repeat(names.size()));
            for (Map.Entry<Integer, int[][]> e : perWindow.entrySet()) {
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %.0f |", e.getKey() * windowMs));
                for (int[] perWorker : e.getValue()) {
                    row.append(' ').append(Arrays.toString(perWorker)).append(" |");
                }
                System.out.println(row);
            }
            System.out.println();
            System.out.println("Run time dispatched to each worker, ms (the calls' model run times, unbatched): "
                    + Arrays.toString(Arrays.stream(runMs).mapToLong(Math::round).toArray()));
            System.out.println();
            System.out.printf(Locale.ROOT, "%s's loads (%d):%n%n", policy, loads.size());
            System.out.println("| at ms | function | worker | evicted |");
            System.out.println("| ---: | --- | ---: | --- |");
            loads.forEach(System.out::println);
        }
    }
}
