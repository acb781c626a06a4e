package io.gpufaas.core.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.WorkerReport;
import io.gpufaas.core.router.policy.Assignment;
import io.gpufaas.core.router.policy.PolicyName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

/**
 * No invocation starves while arrivals go on. {@link RouterLivenessTest} shows that the queue
 * drains once arrivals stop; this shows that nothing waits for that. One hot model takes most of
 * a steady stream of arrivals, often more than the pool can run, so the router is overloaded and
 * sheds at its queue bound, while cold models arrive now and then, some too large to share a
 * worker with the hot one while it runs. Out-of-order dispatch lets the hot model's hits overtake
 * a waiting cold invocation; the bypass bound must end that in time, with the bound on overtaken
 * work (random, down to 0) or without it binding.
 *
 * <p>The invariant: every invocation that is queued (not shed) is dispatched within a bound
 * of arriving that does not grow with the length of the stream: the time to run the whole queue
 * bound's worth of work on one slot, loads included, plus the bypass bound's worth, plus a report
 * timeout. The stream runs several times longer than that bound, so an invocation passed over
 * until the stream ends fails it.
 */
class RouterStarvationTest {

    private static final long MEMORY = 1_000;
    private static final long REPORT_TIMEOUT_MS = 500;
    private static final int MAX_RUN_MS = 20;
    private static final int MAX_LOAD_MS = 100;

    /** A worker's report due at {@code atMs}. */
    private record Due(double atMs, int worker, String model, String id) {}

    private static final class Scenario {
        final Random random;
        final int workers;
        final int slots;
        final int maxBypass;
        final double maxOvertakenWork;
        final int maxPending;
        final PolicyName policy;
        final Map<String, Long> bytes = new HashMap<>();
        final Map<String, Integer> runMs = new HashMap<>();
        final Map<String, Integer> loadMs = new HashMap<>();
        final List<Set<String>> holds = new ArrayList<>();
        final PriorityQueue<Due> due = new PriorityQueue<>((a, b) -> Double.compare(a.atMs, b.atMs));
        final Map<String, Double> arrivedAt = new HashMap<>();
        final Router<String> router;
        double now;
        double longestWaitMs;
        int shed;

        Scenario(long seed) {
            random = new Random(seed);
            workers = 1 + random.nextInt(4);
            slots = 1 + random.nextInt(3);
            maxBypass = random.nextInt(33);
            // The count bounds every wait; the work bound ends some sooner, so the bound below holds with any.
            maxOvertakenWork = 8 * random.nextDouble();
            maxPending = 10 + random.nextInt(30);
            PolicyName[] policies = PolicyName.values();
            policy = policies[random.nextInt(policies.length)];
            int models = 2 + random.nextInt(10);
            for (int i = 0; i < models; i++) {
                String m = "m" + i;
                // m0 is the hot one; a cold model of over half the memory cannot load beside it.
                bytes.put(m, 50L + random.nextInt(i == 0 ? 500 : 900));
                runMs.put(m, 5 + random.nextInt(MAX_RUN_MS - 4));
                loadMs.put(m, 1 + random.nextInt(MAX_LOAD_MS));
            }
            for (int w = 0; w < workers; w++) {
                holds.add(new LinkedHashSet<>());
            }
            RouterSettings settings = new RouterSettings(policy, workers, MEMORY, slots, maxBypass, maxOvertakenWork,
                    1 + random.nextInt(16), REPORT_TIMEOUT_MS, maxPending, 1L << 40, "lru", slots);
            router = new Router<>(settings, FunctionCatalog.ofFootprints(bytes), () -> now, new Router.Output<>() {
                @Override
                public void dispatch(Assignment<String> a) {
                    double waited = now - arrivedAt.remove(a.item());
                    longestWaitMs = Math.max(longestWaitMs, waited);
                    Set<String> held = holds.get(a.worker());
                    a.evict().forEach(held::remove);
                    held.add(a.model());
                    int ms = runMs.get(a.model()) + (a.load() ? loadMs.get(a.model()) : 0);
                    due.add(new Due(now + ms, a.worker(), a.model(), a.item()));
                }

                @Override
                public void shed(String item, String why) {
                    arrivedAt.remove(item);
                    shed++;
                }

                @Override
                public void expired(String item) {
                    throw new AssertionError("no invocation here has a deadline, yet " + item + " expired");
                }

                @Override
                public void failed(String item, ErrorCode code, String message) {
                    throw new AssertionError("every model here fits a worker, yet " + item + " failed: " + message);
                }
            });
        }

        /** How long a queued invocation may wait, whatever the stream's length. */
        double waitBoundMs() {
            return (maxPending + maxBypass + 2.0) * (MAX_RUN_MS + MAX_LOAD_MS) + REPORT_TIMEOUT_MS;
        }

        void run() {
            double hotShare = 0.5 + 0.49 * random.nextDouble();
            // From a fifth of the pool's hit capacity for the hot model to twice it: overloaded often.
            double capacityPerMs = workers * slots / (double) runMs.get("m0");
            double meanGapMs = 1 / (capacityPerMs * (0.2 + 1.8 * random.nextDouble()));
            double streamMs = 3 * waitBoundMs();
            int next = 0;
            for (double t = 0; t < streamMs || !due.isEmpty() || router.pending() > 0; ) {
                double nextArrival = t < streamMs ? t : Double.POSITIVE_INFINITY;
                double nextReport = due.isEmpty() ? Double.POSITIVE_INFINITY : due.peek().atMs;
                now = Math.min(nextArrival, nextReport);
                assertThat(now).as("the queue did not drain: %d waiting", router.pending())
                        .isLessThan(streamMs + 10 * waitBoundMs());
                if (now == nextArrival) {
                    String id = "i" + next++;
                    String model = random.nextDouble() < hotShare ? "m0" : "m" + (1 + random.nextInt(bytes.size() - 1));
                    arrivedAt.put(id, now);
                    router.submit(id, model, (long) now, Long.MAX_VALUE, 10);
                    t += -Math.log(1 - random.nextDouble()) * meanGapMs;
                } else {
                    Due d = due.poll();
                    Set<String> held = holds.get(d.worker);
                    router.report(new WorkerReport(d.worker, d.model, d.id, loadMs.get(d.model), runMs.get(d.model),
                            bytes.get(d.model), List.copyOf(held), MEMORY, (long) now));
                }
                for (double arrived : arrivedAt.values()) {
                    assertThat(now - arrived)
                            .as("under %s (%d workers x %d slots, bypass bounds %d and %.2fx, queue bound %d) an "
                                    + "invocation has waited %.0f ms at %.0f ms into a stream of %.0f ms", policy, workers,
                                    slots, maxBypass, maxOvertakenWork, maxPending, now - arrived, now, streamMs)
                            .isLessThanOrEqualTo(waitBoundMs());
                }
            }
            assertThat(arrivedAt).as("every invocation was dispatched or shed").isEmpty();
            Statistics.label("overloaded").collect(shed > 0);
            Statistics.label("longest wait / bound").collect(Math.min(9, (int) (10 * longestWaitMs / waitBoundMs())));
        }
    }

    @Property(tries = 200)
    void noQueuedInvocationWaitsLongerThanABoundThatIgnoresTheStreamLength(@ForAll long seed) {
        new Scenario(seed).run();
    }
}
