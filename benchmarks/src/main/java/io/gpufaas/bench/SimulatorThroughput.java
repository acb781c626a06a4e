package io.gpufaas.bench;

import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.core.sim.AzureTrace;
import io.gpufaas.core.sim.CostModel;
import io.gpufaas.core.sim.ModelCatalogue;
import io.gpufaas.core.sim.SimResult;
import io.gpufaas.core.sim.Simulator;
import io.gpufaas.core.sim.Workload;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How fast the simulator runs at fleet scale: the whole trace (every function) on 1,000 GPUs x
 * 16 GiB with the job's settings, each policy run alone on one thread after a warm-up run, so the
 * figure is the simulator's, not the JIT's or a neighbour's. Events count an arrival and a
 * completion per invocation, as the grid's fleet day does. The rate is taken over the thread's CPU
 * time, not the wall clock: on shared cores the wall clock also counts the time other tenants held
 * the core, which moved a policy's figure by up to 2x between runs. The collector's pauses are
 * added to it: while a stop-the-world collector works on its own threads, this one waits, and its
 * CPU time would not show what the run's garbage cost. The header names the collector. Beside the
 * rate it prints the router's work per invocation: asks of its policy, and kept refusals found
 * standing instead. Those counts are the same in every run of the same code, where the CPU time of
 * one build spreads over up to 2x here.
 *
 * <p>Each policy at each load runs in a JVM of its own (as JMH forks), started with this one's JVM
 * options and classpath. In one JVM the code the JIT compiled for the runs before stays, with
 * their call sites' profiles, and a run's figure depended on what ran before it: lalb-o3 at u = 0.2
 * took 1.75 and 3.60 s of CPU in two runs after other policies, 1.62 and 1.65 s alone; ours at
 * u = 0.95 took 5.58-8.34 s in three runs after its own runs at u = 0.2 and 0.6 (with no
 * collection in them), 2.56-3.24 s in four alone. {@code --one-jvm} runs everything in this one.
 *
 * <p>{@code scripts/bench-sim-speed.sh [--trace FILE_inv.csv] [--loads 0.2,0.6,0.95] [--policies a,b] [--runs 2] [--one-jvm]}
 */
public final class SimulatorThroughput {

    private SimulatorThroughput() {}

    /** The flag a forked JVM gets: run the policies here, do not fork again. */
    private static final String ONE_JVM = "one-jvm";

    public static void main(String[] args) throws Exception {
        BenchArgs a = BenchArgs.parse(args, ONE_JVM);
        Path shared = a.path("shared-data", Path.of("..", "shared", "data"));
        Path tracePath = a.path("trace", null);
        List<Double> loads = a.decimals("loads", List.of(0.2, 0.6, 0.95));
        List<String> policies = a.strings("policies", SimulationBenchmark.POLICIES);
        int runs = a.integer("runs", 2);
        boolean oneJvm = a.flag(ONE_JVM);
        a.done();
        policies.forEach(PolicyName::of); // an unknown name fails here, not in the third fork
        if (!oneJvm) {
            forkPerRun(args, policies, loads);
            return;
        }
        AzureTrace trace = SimulationBenchmark.trace(shared, tracePath);
        ModelCatalogue catalogue = SimulationBenchmark.catalogue(shared);
        EvaluationGrid.Fleet fleet = new EvaluationGrid.Fleet(1000, 16);
        Workload base = Workload.build(trace, catalogue, CostModel.v100FromHost(), new Workload.Spec(
                trace.activeFunctions(0, trace.minutes()), 0, trace.minutes(), 1, 1, false, true));
        Simulator.Config config = EvaluationGrid.config(fleet, "lru");
        System.out.printf(Locale.ROOT, "%d functions, %d invocations on %d GPUs x %.0f GiB; best of %d timed runs after a warm-up%n%n",
                base.models().size(), base.invocations(), fleet.gpus(), fleet.memoryGib(), runs);
        System.out.println("collector: " + collectors().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", ")) + "; CPU seconds are the thread's CPU time plus the collector's pauses");
        // A heap that starts small grows and shrinks between runs, and the kernel's zeroing of the
        // pages it takes back counts as the simulator's time: the header says which heap ran.
        java.lang.management.MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        System.out.printf(Locale.ROOT, "heap: %.1f GiB initial, %.1f GiB at most%n", heap.getInit() / (double) (1L << 30),
                heap.getMax() / (double) (1L << 30));
        System.out.println();
        System.out.println("| u | policy | mean ms | p99 ms | CPU seconds | wall seconds | million events/s (CPU) "
                + "| policy decisions per invocation | kept refusals per invocation |");
        System.out.println("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (double load : loads) {
            Workload w = base.atUtilisation(load, fleet.gpus(), trace.minutes() * 60_000.0);
            for (String policy : policies) {
                Simulator.Config c = config.withPolicy(PolicyName.of(policy));
                SimResult r = Simulator.run(w, c); // warm-up
                double best = Double.POSITIVE_INFINITY;
                double bestWall = Double.POSITIVE_INFINITY;
                for (int i = 0; i < runs; i++) {
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    long gc0 = pauseMs();
                    long t0 = System.nanoTime();
                    r = Simulator.run(w, c);
                    double wall = (System.nanoTime() - t0) / 1e9;
                    bestWall = Math.min(bestWall, wall);
                    best = Math.min(best, cpu0 < 0 ? wall
                            : (threads.getCurrentThreadCpuTime() - cpu0) / 1e9 + (pauseMs() - gc0) / 1e3);
                }
                System.out.printf(Locale.ROOT, "| %.2f | %s | %.1f | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f |%n", load, policy,
                        r.meanMs(), r.quantileMs(0.99), best, bestWall, 2.0 * w.invocations() / best / 1e6,
                        r.policyDecisions() / (double) w.invocations(), r.keptRefusals() / (double) w.invocations());
            }
        }
        System.out.println();
        System.out.println("reproduce: scripts/bench-sim-speed.sh " + String.join(" ", args));
    }

    /**
     * Runs each policy at each load in a fresh JVM with this one's options and classpath, passes
     * the first one's header on, and prints every row in the order one JVM would: by load, then
     * policy.
     */
    private static void forkPerRun(String[] args, List<String> policies, List<Double> loads) throws Exception {
        List<String> rest = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--policies") || args[i].equals("--loads")) {
                i++; // each fork gets its own
            } else {
                rest.add(args[i]);
            }
        }
        boolean headerShown = false;
        for (double load : loads) {
            for (String policy : policies) {
                List<String> header = new java.util.ArrayList<>();
                List<String> rows = new java.util.ArrayList<>();
                runAlone(rest, policy, load, header, rows);
                if (!headerShown) {
                    header.forEach(line -> System.out.println(line.startsWith("| ---") ? line
                            : line.replace("after a warm-up", "after a warm-up, each policy and load in a JVM of its own")));
                    headerShown = true;
                }
                rows.forEach(System.out::println);
            }
        }
        System.out.println();
        System.out.println("reproduce: scripts/bench-sim-speed.sh " + String.join(" ", args));
    }

    /** Runs {@code policy} at {@code load} in a fresh JVM; its table rows go to {@code rows}, the rest of its output to {@code header}. */
    private static void runAlone(List<String> args, String policy, double load, List<String> header, List<String> rows)
            throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SimulatorThroughput.class.getName()));
        command.addAll(args);
        command.addAll(List.of("--" + ONE_JVM, "--policies", policy, "--loads", Double.toString(load)));
        Process fork = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(fork.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.matches("\\| [0-9].*")) {
                    rows.add(line);
                } else if (!line.startsWith("reproduce:")) {
                    header.add(line);
                }
            }
        }
        if (fork.waitFor() != 0) {
            throw new IllegalStateException("the JVM running " + policy + " at u = " + load + " failed:\n"
                    + String.join("\n", header));
        }
        while (!header.isEmpty() && header.get(header.size() - 1).isBlank()) {
            header.remove(header.size() - 1); // the blank line before its "reproduce:" line
        }
    }

    private static List<GarbageCollectorMXBean> collectors() {
        return ManagementFactory.getGarbageCollectorMXBeans();
    }

    /**
     * Milliseconds the collectors have spent collecting so far, as their beans count it: the
     * stop-the-world work (all of the parallel collector's; a concurrent one's background work is
     * not in it).
     */
    private static long pauseMs() {
        return collectors().stream().mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
    }
}
