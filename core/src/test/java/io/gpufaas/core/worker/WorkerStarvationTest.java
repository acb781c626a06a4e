package io.gpufaas.core.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.FunctionCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

/**
 * No invocation starves at a worker while invocations keep coming. A hot model's invocations
 * arrive in a steady stream, as many as the router's credits let in, and cold models' now and
 * then, some too large to load beside the hot one while it runs: out-of-order run-ahead lets the
 * hot model's batches overtake a cold invocation that waits for room or for its load, and the
 * bypass bound and the single loader's order must end that in time. Random settings: concurrency,
 * batch sizes and delays, in-order or out-of-order, bypass bounds, eviction policies, and
 * decoded-input budgets that make batches wait for room.
 *
 * <p>The invariant: every invocation completes within a bound of its arrival that does not grow
 * with the stream: one load and one full batch for each invocation the credits let in ahead of it
 * and for each overtake the bypass bound allows, plus the batch delay. The stream runs three times
 * longer than that bound.
 */
class WorkerStarvationTest {

    private static final long MEMORY = 1_000;
    private static final int MAX_RUN_MS = 20;
    private static final int MAX_LOAD_MS = 100;

    /** A load or a batch that ends at {@code atMs}; or a wake-up when both are null. */
    private record Busy(double atMs, long seq, WorkerCore.Step.Load<Integer> load, WorkerCore.Step.Run<Integer> run) {}

    private static final class Scenario {
        final Random random;
        final WorkerSettings settings;
        final int credits;
        final Map<String, Long> bytes = new HashMap<>();
        final Map<String, Integer> runMs = new HashMap<>();
        final Map<String, Integer> loadMs = new HashMap<>();
        final WorkerCore<Integer> worker;
        final PriorityQueue<Busy> busy = new PriorityQueue<>(
                (a, b) -> a.atMs != b.atMs ? Double.compare(a.atMs, b.atMs) : Long.compare(a.seq, b.seq));
        final Map<Integer, Double> arrivedAt = new HashMap<>();
        /** Each submitted invocation's model, by its id. */
        final List<String> modelOf = new ArrayList<>();
        long seq;
        double now;
        double longestMs;

        Scenario(long seed) {
            random = new Random(seed);
            String[] policies = {"lru", "lfu", "gdsf"};
            settings = new WorkerSettings(1 + random.nextInt(3), 1 + random.nextInt(8), random.nextInt(6),
                    random.nextBoolean(), random.nextInt(33), policies[random.nextInt(policies.length)], false,
                    50 + random.nextInt(450), 256, 600_000);
            credits = 1 + random.nextInt(32);
            int models = 2 + random.nextInt(8);
            for (int i = 0; i < models; i++) {
                String m = "m" + i;
                // m0 is the hot one; a cold model of over half the memory cannot load beside it.
                bytes.put(m, 50L + random.nextInt(i == 0 ? 450 : 900));
                runMs.put(m, 1 + random.nextInt(MAX_RUN_MS));
                loadMs.put(m, 1 + random.nextInt(MAX_LOAD_MS));
            }
            worker = new WorkerCore<>("gpu0", MEMORY, settings, FunctionCatalog.ofFootprints(bytes), (m, job) -> 50);
        }

        /** How long an invocation may take from arrival to completion, whatever the stream's length. */
        double boundMs() {
            double perStep = MAX_LOAD_MS + (double) settings.maxBatch() * MAX_RUN_MS;
            return (credits + settings.maxBypass() + 2) * perStep + settings.maxBatchDelayMs();
        }

        void run() {
            double hotShare = 0.5 + 0.49 * random.nextDouble();
            double meanGapMs = runMs.get("m0") / (settings.concurrency() * (0.2 + 2.8 * random.nextDouble()));
            double streamMs = 3 * boundMs();
            for (double t = 0; t < streamMs || !busy.isEmpty(); ) {
                double nextArrival = t < streamMs ? t : Double.POSITIVE_INFINITY;
                double nextEnd = busy.isEmpty() ? Double.POSITIVE_INFINITY : busy.peek().atMs;
                now = Math.min(nextArrival, nextEnd);
                if (now == nextArrival) {
                    t += -Math.log(1 - random.nextDouble()) * meanGapMs;
                    if (arrivedAt.size() < credits) { // beyond its credits the router keeps it
                        String model = random.nextDouble() < hotShare ? "m0" : "m" + (1 + random.nextInt(bytes.size() - 1));
                        int job = modelOf.size();
                        arrivedAt.put(job, now);
                        modelOf.add(model);
                        worker.submit(job, model, (long) now, Long.MAX_VALUE);
                    }
                } else {
                    end(busy.poll());
                }
                pump();
                worker.checkInvariants();
                for (double arrived : arrivedAt.values()) {
                    assertThat(now - arrived)
                            .as("%s: an invocation has waited %.0f ms at %.0f ms into a stream of %.0f ms",
                                    settings, now - arrived, now, streamMs)
                            .isLessThanOrEqualTo(boundMs());
                }
            }
            assertThat(arrivedAt).as("every invocation completed").isEmpty();
            Statistics.label("longest / bound").collect(Math.min(9, (int) (10 * longestMs / boundMs())));
        }

        private void end(Busy b) {
            if (b.load != null) {
                String m = b.load.model();
                WorkerCore.LoadResult<Integer> result = worker.loadDone(m, bytes.get(m), loadMs.get(m));
                assertThat(result).as("%s fits the device", m).isInstanceOf(WorkerCore.LoadResult.Installed.class);
            } else if (b.run != null) {
                worker.batchDone(b.run, runMs.get(b.run.model()) * b.run.batch().size());
                for (int job : b.run.batch()) {
                    longestMs = Math.max(longestMs, now - arrivedAt.remove(job));
                }
            }
        }

        private void pump() {
            for (WorkerCore.Step<Integer> step : worker.next((long) now)) {
                if (step instanceof WorkerCore.Step.Load<Integer> load) {
                    busy.add(new Busy(now + loadMs.get(load.model()), seq++, load, null));
                } else if (step instanceof WorkerCore.Step.Run<Integer> run) {
                    assertThat(run.batch()).allSatisfy(job -> assertThat(modelOf.get(job)).isEqualTo(run.model()));
                    busy.add(new Busy(now + runMs.get(run.model()) * run.batch().size(), seq++, null, run));
                } else if (step instanceof WorkerCore.Step.WakeAt<Integer> wake) {
                    busy.add(new Busy(Math.max(now, wake.atMs()), seq++, null, null));
                } else {
                    throw new AssertionError("every model fits the device, yet the worker failed: " + step);
                }
            }
        }
    }

    @Property(tries = 200)
    void everyInvocationCompletesWithinABoundThatIgnoresTheStreamLength(@ForAll long seed) {
        new Scenario(seed).run();
    }
}
