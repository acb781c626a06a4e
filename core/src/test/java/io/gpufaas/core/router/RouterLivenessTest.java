package io.gpufaas.core.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.WorkerReport;
import io.gpufaas.core.router.policy.Assignment;
import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.core.sim.PolicyTuner;
import io.gpufaas.core.worker.WorkerSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
 * Liveness of the core {@link Router}, over thousands of random scenarios: every policy, random
 * pools and slots, footprints that fit, that fit only as declared and not as measured, and that
 * fit no worker at all; loads that fail; workers that go silent; reports that name a model's
 * version otherwise than the router does; functions removed while their invocations wait; deadlines. The workers are played in virtual time by this test as the job's
 * do: a report after each run, listing what the worker really holds.
 *
 * <p>The invariants, checked after every event:
 * <ul>
 *   <li>every invocation ends exactly once (dispatched, expired, shed or failed), and every
 *       dispatched one is reported;
 *   <li>no invocation waits past its deadline plus one sweep (the owner ticks every sweep);
 *   <li>dispatch never stalls: invocations never wait while every worker is idle, and under a
 *       work-conserving policy the oldest never waits while a free worker could take it;
 *   <li>once arrivals stop, the queue drains.
 * </ul>
 */
class RouterLivenessTest {

    private static final long MEMORY = 1_000;
    private static final long SWEEP_MS = Router.EXPIRY_SWEEP_MS;
    private static final long REPORT_TIMEOUT_MS = 2_000;
    /**
     * Policies that never keep the oldest invocation waiting while a free worker could take it.
     * The affinity policies (demand, ch-bl, lalb, lalb-o3, ect-o3) do, by design: they hold an
     * invocation for its model's busy holder or ring place rather than load it elsewhere. For them
     * the invariant is the weaker one every policy meets: something runs whenever anything waits.
     */
    private static final Set<PolicyName> WORK_CONSERVING = Set.of(PolicyName.ROUND_ROBIN, PolicyName.LEAST_LOADED);

    /** A worker's report due at {@code atMs}, or a silence that swallows it. */
    private record Due(double atMs, int worker, String model, String id, long bytes, boolean lost) {}

    private static final class Scenario {
        final Random random;
        final int workers;
        final PolicyName policy;
        final Map<String, Long> declared = new HashMap<>();
        final Map<String, Long> real = new HashMap<>();
        final Set<String> failingLoads = new HashSet<>();
        double now;
        final Map<String, String> state = new HashMap<>();
        final Map<String, Long> deadlines = new HashMap<>();
        final Map<String, String> modelOf = new HashMap<>();
        final PriorityQueue<Due> due = new PriorityQueue<>((a, b) -> Double.compare(a.atMs, b.atMs));
        final List<Set<String>> holds = new ArrayList<>();
        final int silentWorker;
        final double silentFrom;
        final double silentUntil;
        Router<String> router;
        /** The tuned policy's tuner; null under any other policy. */
        PolicyTuner tuner;

        Scenario(long seed) {
            random = new Random(seed);
            workers = 1 + random.nextInt(5);
            policy = PolicyName.values()[random.nextInt(PolicyName.values().length)];
            int models = 1 + random.nextInt(10);
            for (int i = 0; i < models; i++) {
                String m = "m" + i;
                long bytes = 20 + random.nextInt(700);
                double kind = random.nextDouble();
                if (kind < 0.1) {
                    declared.put(m, MEMORY + 1 + random.nextInt(1_000_000)); // declared too large for any worker
                    real.put(m, declared.get(m));
                } else if (kind < 0.2) {
                    declared.put(m, bytes); // declared small, measured too large
                    real.put(m, MEMORY + 1 + random.nextInt(10_000));
                } else {
                    declared.put(m, bytes);
                    real.put(m, random.nextDouble() < 0.2 ? Math.min(MEMORY, bytes * 2) : bytes);
                }
                if (random.nextDouble() < 0.1) {
                    failingLoads.add(m);
                }
                for (int w = 0; w < workers; w++) {
                    if (holds.size() <= w) {
                        holds.add(new LinkedHashSet<>());
                    }
                }
            }
            silentWorker = random.nextDouble() < 0.3 ? random.nextInt(workers) : -1;
            silentFrom = random.nextInt(3_000);
            silentUntil = silentFrom + random.nextInt(6_000);
            int slots = 1 + random.nextInt(3);
            int maxSlots = random.nextBoolean() ? slots : slots + random.nextInt(16);
            RouterSettings settings = new RouterSettings(policy, workers, MEMORY, slots, random.nextInt(8),
                    8 * random.nextDouble(), 1 + random.nextInt(16), REPORT_TIMEOUT_MS, 1 + random.nextInt(300), 1L << 40, "lru", maxSlots);
            router = new Router<>(settings, FunctionCatalog.ofFootprints(declared), () -> now, new Router.Output<>() {
                @Override
                public void dispatch(Assignment<String> a) {
                    end(a.item(), "dispatched");
                    Set<String> held = holds.get(a.worker());
                    a.evict().forEach(held::remove);
                    boolean loadFails = a.load() && (failingLoads.contains(a.model()) || real.get(a.model()) > MEMORY);
                    if (a.load() && !loadFails) {
                        held.add(a.model());
                    }
                    double runMs = 1 + random.nextInt(a.load() ? 300 : 60);
                    boolean lost = a.worker() == silentWorker && now >= silentFrom && now < silentUntil;
                    // A refused load reports what it measured (the real footprint), as the worker does.
                    long bytes = loadFails && !failingLoads.contains(a.model()) ? real.get(a.model())
                            : held.contains(a.model()) ? real.get(a.model()) : 0;
                    // Now and then a worker names the model's version otherwise than the router (a bug): no slot may leak.
                    String reported = random.nextDouble() < 0.03 ? a.model() + "@9" : a.model();
                    due.add(new Due(now + runMs, a.worker(), reported, a.item(), bytes, lost));
                }

                @Override
                public void shed(String item, String why) {
                    end(item, "shed");
                }

                @Override
                public void expired(String item) {
                    assertThat(deadlines.get(item)).as("expired %s, which has a deadline", item).isNotNull();
                    end(item, "expired");
                }

                @Override
                public void failed(String item, ErrorCode code, String message) {
                    assertThat(code).isIn(ErrorCode.OUT_OF_DEVICE_MEMORY, ErrorCode.FUNCTION_REMOVED);
                    assertThat(message).isNotBlank();
                    end(item, code.name());
                }
            }, SWEEP_MS);
            if (policy == PolicyName.TUNED) {
                // Epochs of 5 arrivals, no warm-up, no margins: the policy switches as often as replays
                // disagree, so liveness is checked across switches, not only within one candidate.
                tuner = PolicyTuner.attach(router, WorkerSettings.DEFAULTS, 0, 0, Runnable::run,
                        new PolicyTuner.Settings(5, 1_000, 1, 2, 1.3, 0, 0, 0, 0, 1_000, 1_000_000), PolicyTuner.Listener.NONE)
                        .orElseThrow();
            }
        }

        void end(String id, String how) {
            String before = state.put(id, how);
            assertThat(before).as("%s ended twice: %s, then %s", id, before, how).isEqualTo("waiting");
        }

        void run() {
            int invocations = 1 + random.nextInt(400);
            double t = 0;
            List<double[]> arrivals = new ArrayList<>();
            for (int i = 0; i < invocations; i++) {
                t += random.nextDouble() < 0.2 ? 0 : random.nextInt(40); // bursts: many at the same instant
                arrivals.add(new double[] {t, i});
            }
            double removeAt = random.nextDouble() < 0.3 ? random.nextDouble() * t : Double.NaN;
            String removed = "m" + random.nextInt(declared.size());
            double nextTick = SWEEP_MS;
            int next = 0;
            boolean removedYet = false;
            while (next < arrivals.size() || !due.isEmpty() || router.pending() > 0) {
                double nextArrival = next < arrivals.size() ? arrivals.get(next)[0] : Double.POSITIVE_INFINITY;
                double nextReport = due.isEmpty() ? Double.POSITIVE_INFINITY : due.peek().atMs;
                double at = Math.min(nextTick, Math.min(nextArrival, nextReport));
                assertThat(at).as("the queue did not drain: %d waiting", router.pending()).isLessThan(t + 600_000);
                now = at;
                if (!removedYet && now >= removeAt) {
                    removedYet = true;
                    router.remove(removed::equals, "removed");
                }
                if (at == nextArrival) {
                    String id = "i" + next++;
                    String model = "m" + random.nextInt(declared.size());
                    long deadline = random.nextDouble() < 0.3 ? (long) now + random.nextInt(3_000) : Long.MAX_VALUE;
                    state.put(id, "waiting");
                    modelOf.put(id, model);
                    if (deadline != Long.MAX_VALUE) {
                        deadlines.put(id, deadline);
                    }
                    router.submit(id, model, (long) now, deadline, 10);
                } else if (at == nextReport) {
                    Due d = due.poll();
                    if (!d.lost) {
                        // Backlogs of every kind: unknown (an old worker), none, some, a long queue.
                        double[] backlogs = {WorkerReport.UNKNOWN_BACKLOG, 0, 0.5, 3, 50};
                        router.report(new WorkerReport(d.worker, d.model, d.id, 1, random.nextInt(2), d.bytes,
                                List.copyOf(holds.get(d.worker)), MEMORY, (long) now)
                                .withBacklogMs(backlogs[random.nextInt(backlogs.length)]));
                    }
                } else {
                    router.tick();
                    nextTick += SWEEP_MS;
                    for (String waiting : router.pendingItems()) {
                        Long deadline = deadlines.get(waiting);
                        assertThat(deadline == null || deadline >= now)
                                .as("%s waits past its deadline %s at %s", waiting, deadline, now).isTrue();
                    }
                }
                if (WORK_CONSERVING.contains(policy)) {
                    assertThat(router.oldestPlaceableNow())
                            .as("%s left the oldest invocation waiting while a free worker could take it", policy)
                            .isFalse();
                }
                assertThat(router.pending() == 0 || anyRunning())
                        .as("%d invocations wait while every worker is idle (policy %s, at %s)", router.pending(),
                                policy, now)
                        .isTrue();
            }
            assertThat(state).allSatisfy((id, how) -> assertThat(how).as(id).isNotEqualTo("waiting"));
            for (Map.Entry<String, String> e : state.entrySet()) {
                if (e.getValue().equals("dispatched")) {
                    assertThat(declared.get(modelOf.get(e.getKey()))).as("dispatched a model no worker can hold")
                            .isLessThanOrEqualTo(MEMORY);
                }
                Statistics.collect(e.getValue());
            }
        }

        private boolean anyRunning() {
            // The router's own view: a silent worker's slots stay busy until the report timeout.
            return router.running() > 0;
        }
    }

    @Property(tries = 3_000)
    void everyInvocationEndsAndDispatchNeverStalls(@ForAll long seed) {
        new Scenario(seed).run();
    }

    /** The tuned scenarios above do switch candidates mid-run: what they check is liveness across switches. */
    @Property(tries = 1)
    void tunedScenariosSwitchTheirPolicy() {
        int tuned = 0;
        int switches = 0;
        for (long seed = 0; tuned < 100; seed++) {
            Scenario s = new Scenario(seed);
            if (s.policy == PolicyName.TUNED) {
                tuned++;
                s.run();
                switches += s.tuner.switches();
            }
        }
        assertThat(switches).isPositive();
    }
}
