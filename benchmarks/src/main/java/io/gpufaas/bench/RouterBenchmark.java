package io.gpufaas.bench;

import io.gpufaas.core.router.Scheduler;
import io.gpufaas.core.router.policy.Assignment;
import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.core.router.policy.Request;
import io.gpufaas.core.router.policy.WorkerView;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Routing decisions per second: one invocation submitted, dispatched with its plan, and its slot
 * freed again, at 64 workers and 1,000 functions with Zipf-like popularity, on one thread. The
 * router must never be the bottleneck: target at least 1 million decisions per second.
 *
 * <p>{@code scripts/bench-router.sh}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class RouterBenchmark {

    @Param({"round-robin", "least-loaded", "lalb", "lalb-o3", "ch-bl", "ect-o3", "demand"})
    public String policy;

    @Param({"64"})
    public int workers;

    @Param({"1000"})
    public int functions;

    private Scheduler<Integer> scheduler;
    private String[] names;
    private long[] bytes;
    private double[] cumulative;
    private SplittableRandom random;
    private double clock;

    @Setup(Level.Trial)
    public void setUp() {
        random = new SplittableRandom(42);
        names = new String[functions];
        bytes = new long[functions];
        cumulative = new double[functions];
        double total = 0;
        for (int f = 0; f < functions; f++) {
            names[f] = "fn" + f;
            bytes[f] = (10 + random.nextInt(190)) * 1_048_576L; // 10-200 MiB
            total += 1.0 / (f + 1);
            cumulative[f] = total;
        }
        for (int f = 0; f < functions; f++) {
            cumulative[f] /= total;
        }
        List<WorkerView> views = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            views.add(new WorkerView(w, 16L << 30, 1)); // 16 GiB devices
        }
        scheduler = new Scheduler<>(PolicyName.of(policy).create(), views, 16, 64);
    }

    private int nextFunction() {
        double u = random.nextDouble();
        int lo = 0;
        int hi = functions - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Benchmark
    public int routeOne() {
        int f = nextFunction();
        clock += 1;
        scheduler.submit(new Request<>(f, names[f], bytes[f], bytes[f] / 500_000.0, 5, (long) clock));
        List<Assignment<Integer>> out = scheduler.dispatch(clock);
        for (Assignment<Integer> a : out) {
            scheduler.complete(a.worker(), a.model());
        }
        return out.size();
    }
}
