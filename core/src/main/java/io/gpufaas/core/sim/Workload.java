package io.gpufaas.core.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A replayable workload: which models exist (one per selected trace function, with its size and
 * costs) and when each invocation arrives. Built deterministically from a trace, a catalogue, a
 * cost model and a seed, so the simulator, the replay through the job and every policy see
 * exactly the same invocations.
 *
 * @param arrivalMs arrival times, ascending
 * @param function the function (index into {@code models}) of each arrival
 */
public record Workload(List<String> models, long[] bytes, double[] loadMs, double[] execMs,
        double[] arrivalMs, int[] function) {

    /**
     * How to cut a workload out of a trace.
     *
     * @param functions how many distinct functions (= models: the working set)
     * @param startMinute first trace minute used (0-based)
     * @param minutes how many trace minutes
     * @param compression trace minutes per simulated minute (60: a trace minute becomes a second)
     * @param seed for choosing functions, mapping models and spreading arrivals
     * @param busiest take the functions with the most invocations in the window instead of a
     *     seeded random choice among the active ones (a replay on one machine needs traffic)
     * @param traceDurations scale each function's run time by its trace duration against the
     *     trace's median (a function that ran 10x the median runs 10x its model's cost), where the
     *     trace has durations; else every function runs its model's cost
     */
    public record Spec(int functions, int startMinute, int minutes, double compression, long seed,
            boolean busiest, boolean traceDurations) {
        public Spec {
            if (functions < 1 || minutes < 1 || startMinute < 0 || compression <= 0) {
                throw new IllegalArgumentException("invalid workload spec " + this);
            }
        }

        /** A spec whose run times are the models' own. */
        public Spec(int functions, int startMinute, int minutes, double compression, long seed, boolean busiest) {
            this(functions, startMinute, minutes, compression, seed, busiest, false);
        }
    }

    public int invocations() {
        return arrivalMs.length;
    }

    public double durationMs() {
        return arrivalMs.length == 0 ? 0 : arrivalMs[arrivalMs.length - 1];
    }

    /** A model a trace function can be mapped to, with what it costs to load and run. */
    public record ModelCost(String name, long bytes, double loadMs, double execMs) {}

    /** Models from the catalogue, priced by a cost model; function names get the model's name. */
    public static Workload build(AzureTrace trace, ModelCatalogue catalogue, CostModel cost, Spec spec) {
        List<ModelCost> models = new ArrayList<>();
        for (ModelCatalogue.Model m : catalogue.models()) {
            models.add(new ModelCost(m.name(), m.bytes(), cost.loadMs(m.bytes()), cost.execMs(m.gflops())));
        }
        return build(trace, models, true, spec);
    }

    /**
     * Maps each chosen trace function to one of {@code models} (seeded). With {@code distinct}
     * each function is its own model instance named {@code fn<i>-<model>}; without, functions
     * share the listed models by name (as a replay over a fixed repository must).
     */
    public static Workload build(AzureTrace trace, List<ModelCost> catalogue, boolean distinct, Spec spec) {
        if (spec.startMinute() + spec.minutes() > trace.minutes()) {
            throw new IllegalArgumentException("minutes " + spec.startMinute() + "-" + (spec.startMinute() + spec.minutes())
                    + " run past the trace's end: it has " + trace.minutes() + " minutes");
        }
        SplittableRandom random = new SplittableRandom(spec.seed());
        // Functions active in the window, in a seeded random order: a working set of the requested size.
        List<AzureTrace.TraceFunction> active = new ArrayList<>();
        for (AzureTrace.TraceFunction f : trace.functions()) {
            int end = Math.min(f.perMinute().length, spec.startMinute() + spec.minutes());
            for (int m = spec.startMinute(); m < end; m++) {
                if (f.perMinute()[m] > 0) {
                    active.add(f);
                    break;
                }
            }
        }
        if (active.size() < spec.functions()) {
            throw new IllegalArgumentException("only " + active.size() + " functions are active in minutes "
                    + spec.startMinute() + "-" + (spec.startMinute() + spec.minutes()) + ", " + spec.functions()
                    + " asked; the trace's busiest " + spec.minutes() + " minutes start at minute "
                    + trace.busiestWindow(spec.minutes()));
        }
        for (int i = active.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            AzureTrace.TraceFunction t = active.get(i);
            active.set(i, active.get(j));
            active.set(j, t);
        }
        if (spec.busiest()) {
            active.sort(java.util.Comparator.comparingLong((AzureTrace.TraceFunction f) -> -windowCount(f, spec)));
        }
        List<AzureTrace.TraceFunction> chosen = active.subList(0, spec.functions());
        double medianDurationMs = spec.traceDurations() ? trace.medianDurationMs() : Double.NaN;
        List<String> models = new ArrayList<>();
        long[] bytes = new long[chosen.size()];
        double[] loadMs = new double[chosen.size()];
        double[] execMs = new double[chosen.size()];
        for (int i = 0; i < chosen.size(); i++) {
            ModelCost m = distinct ? catalogue.get(random.nextInt(catalogue.size())) : catalogue.get(i % catalogue.size());
            models.add(distinct ? "fn" + i + "-" + m.name() : m.name());
            bytes[i] = m.bytes();
            loadMs[i] = m.loadMs();
            AzureTrace.TraceFunction f = chosen.get(i);
            execMs[i] = f.hasDuration() && medianDurationMs > 0
                    ? m.execMs() * f.averageDurationMs() / medianDurationMs : m.execMs();
        }
        double minuteMs = 60_000 / spec.compression();
        List<double[]> arrivals = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            int[] perMinute = chosen.get(i).perMinute();
            for (int m = spec.startMinute(); m < Math.min(perMinute.length, spec.startMinute() + spec.minutes()); m++) {
                int n = perMinute[m];
                double base = (m - spec.startMinute()) * minuteMs;
                // The trace gives only the minute's count: n arrivals of a Poisson process, given
                // that n fell in the minute, are n independent uniform times in it (sorted below).
                // Summing exponential gaps of mean minute/n instead, and clamping the sum to the
                // minute, put every arrival that overshot at the minute's last instant, the same
                // instant for every function: 5-32% of a grid slice's invocations arrived together
                // at minute ends, and those clumps set many cells' p99.
                for (int k = 0; k < n; k++) {
                    arrivals.add(new double[] {base + random.nextDouble() * minuteMs, i});
                }
            }
        }
        arrivals.sort((a, b) -> Double.compare(a[0], b[0]));
        double[] at = new double[arrivals.size()];
        int[] fn = new int[arrivals.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = arrivals.get(i)[0];
            fn[i] = (int) arrivals.get(i)[1];
        }
        return new Workload(List.copyOf(models), bytes, loadMs, execMs, at, fn);
    }

    private static long windowCount(AzureTrace.TraceFunction f, Spec spec) {
        long n = 0;
        for (int m = spec.startMinute(); m < Math.min(f.perMinute().length, spec.startMinute() + spec.minutes()); m++) {
            n += f.perMinute()[m];
        }
        return n;
    }

    /**
     * At most {@code max} invocations, keeping every k-th in arrival order (deterministic), so a
     * slice fits what a real replay on this machine can run.
     */
    public Workload thin(int max) {
        if (invocations() <= max) {
            return this;
        }
        double step = invocations() / (double) max;
        double[] at = new double[max];
        int[] fn = new int[max];
        for (int i = 0; i < max; i++) {
            int k = (int) (i * step);
            at[i] = arrivalMs[k];
            fn[i] = function[k];
        }
        return new Workload(models, bytes, loadMs, execMs, at, fn);
    }

    /**
     * The same invocations with time stretched or squeezed so that the work offered, if every
     * invocation hit, is {@code utilisation} of {@code gpus} GPUs' capacity over the workload's
     * window of {@code windowMs} (its length as built).
     */
    public Workload atUtilisation(double utilisation, int gpus, double windowMs) {
        if (utilisation <= 0 || gpus < 1 || windowMs <= 0) {
            throw new IllegalArgumentException("need utilisation > 0, gpus >= 1 and a window, were " + utilisation
                    + ", " + gpus + ", " + windowMs);
        }
        double targetWindowMs = workMs() / (utilisation * gpus);
        double factor = targetWindowMs / windowMs;
        double[] at = new double[arrivalMs.length];
        for (int i = 0; i < at.length; i++) {
            at[i] = arrivalMs[i] * factor;
        }
        return new Workload(models, bytes, loadMs, execMs, at, function);
    }

    /**
     * The same workload with every model called {@code name + tag}: what a policy does with it
     * differs only where it uses the names (a hash ring places models by them), so running one
     * policy under several tags measures how much of its outcome is the luck of where its models
     * hashed. An empty tag returns this workload.
     */
    public Workload renamed(String tag) {
        if (tag.isEmpty()) {
            return this;
        }
        return new Workload(models.stream().map(m -> m + tag).toList(), bytes, loadMs, execMs, arrivalMs, function);
    }

    /** The run time of every invocation at batch 1, all hits: the work offered. */
    public double workMs() {
        double work = 0;
        for (int f : function) {
            work += execMs[f];
        }
        return work;
    }

    /** Total bytes of all models: the working set's size. */
    public long workingSetBytes() {
        return Arrays.stream(bytes).sum();
    }
}
