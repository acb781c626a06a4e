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
     * @param poisson spread each minute's invocations as a Poisson process (else uniformly at random)
     * @param seed for choosing functions, mapping models and spreading arrivals
     */
    public record Spec(int functions, int startMinute, int minutes, double compression, boolean poisson, long seed) {
        public Spec {
            if (functions < 1 || minutes < 1 || startMinute < 0 || compression <= 0) {
                throw new IllegalArgumentException("invalid workload spec " + this);
            }
        }
    }

    public int invocations() {
        return arrivalMs.length;
    }

    public double durationMs() {
        return arrivalMs.length == 0 ? 0 : arrivalMs[arrivalMs.length - 1];
    }

    public static Workload build(AzureTrace trace, ModelCatalogue catalogue, CostModel cost, Spec spec) {
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
                    + spec.startMinute() + "-" + (spec.startMinute() + spec.minutes()) + ", " + spec.functions() + " asked");
        }
        for (int i = active.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            AzureTrace.TraceFunction t = active.get(i);
            active.set(i, active.get(j));
            active.set(j, t);
        }
        List<AzureTrace.TraceFunction> chosen = active.subList(0, spec.functions());
        List<String> models = new ArrayList<>();
        long[] bytes = new long[chosen.size()];
        double[] loadMs = new double[chosen.size()];
        double[] execMs = new double[chosen.size()];
        for (int i = 0; i < chosen.size(); i++) {
            ModelCatalogue.Model m = catalogue.models().get(random.nextInt(catalogue.models().size()));
            models.add("fn" + i + "-" + m.name());
            bytes[i] = m.bytes();
            loadMs[i] = cost.loadMs(m.bytes());
            execMs[i] = cost.execMs(m.gflops());
        }
        double minuteMs = 60_000 / spec.compression();
        List<double[]> arrivals = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            int[] perMinute = chosen.get(i).perMinute();
            for (int m = spec.startMinute(); m < Math.min(perMinute.length, spec.startMinute() + spec.minutes()); m++) {
                int n = perMinute[m];
                double base = (m - spec.startMinute()) * minuteMs;
                double t = 0;
                for (int k = 0; k < n; k++) {
                    if (spec.poisson()) {
                        t += -Math.log(1 - random.nextDouble()) * minuteMs / n;
                        arrivals.add(new double[] {base + Math.min(t, minuteMs * 0.999999), i});
                    } else {
                        arrivals.add(new double[] {base + random.nextDouble() * minuteMs, i});
                    }
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

    /** Total bytes of all models: the working set's size. */
    public long workingSetBytes() {
        return Arrays.stream(bytes).sum();
    }
}
