package io.gpufaas.core.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpufaas.core.router.ModelStats;
import io.gpufaas.core.router.Residency;
import io.gpufaas.core.router.RouterSettings;
import io.gpufaas.core.router.RouterTuner;
import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.core.router.policy.TunedPolicy;
import io.gpufaas.core.worker.WorkerSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class PolicyTunerTest {

    private static final long MEMORY = 1_000;
    /** Candidates in {@link TunedPolicy#CANDIDATES}' order: demand, ect-o3, lalb-o3, least-loaded, ch-bl. */
    private static final int ECT = 1;

    private static final Simulator.Config POOL = new Simulator.Config(2, MEMORY,
            RouterSettings.DEFAULTS.withWorkers(2, MEMORY), WorkerSettings.DEFAULTS, 5, 0);

    /** Epochs of 10 arrivals, replays of the last 2, switches after one warm replay, 20% to leave demand. */
    private static PolicyTuner.Settings settings(int warm) {
        return new PolicyTuner.Settings(10, 60_000, 5, 2, 1.3, warm, 0.2, 0.05, 0, 1_000, 1_000_000);
    }

    private final List<String> events = new ArrayList<>();
    private final PolicyTuner.Listener listener = new PolicyTuner.Listener() {
        @Override
        public void replayed(int arrivals, long millis) {
            events.add("replayed " + arrivals);
        }

        @Override
        public void replaySkipped(int arrivals) {
            events.add("skipped " + arrivals);
        }

        @Override
        public void switched(PolicyName from, PolicyName to, double[] scores) {
            events.add(from + " -> " + to);
        }
    };

    /** Every candidate at {@code base}, except one at {@code factor} times it (mean and p99, both speeds). */
    private static PolicyTuner.Verdict verdict(int candidate, double factor) {
        int k = TunedPolicy.CANDIDATES.size();
        double[] m = new double[k];
        Arrays.fill(m, 100);
        m[candidate] = 100 * factor;
        return new PolicyTuner.Verdict(m, m.clone(), m.clone(), m.clone());
    }

    @Test
    void switchesToTheCandidateTheReplaysFindBestOnlyAfterItsWarmReplays() {
        TunedPolicy policy = new TunedPolicy();
        PolicyTuner tuner = new PolicyTuner(policy, POOL, Runnable::run, settings(1), listener);

        tuner.offer(verdict(0, 2)); // demand twice the others: ect-o3 leads
        tuner.apply();
        assertThat(policy.current()).as("the first replay only warms up").isEqualTo(PolicyName.DEMAND);

        tuner.offer(verdict(0, 2));
        tuner.apply();
        assertThat(policy.current()).isNotEqualTo(PolicyName.DEMAND);
        assertThat(tuner.switches()).isEqualTo(1);
        assertThat(events).containsExactly("demand -> " + policy.current());

        tuner.apply(); // no new verdict: nothing changes
        assertThat(tuner.replays()).isEqualTo(2);
    }

    @Test
    void leavesTheDefaultOnlyByTheLeaveMarginAndSwitchesBackByTheSmallerOne() {
        TunedPolicy policy = new TunedPolicy();
        PolicyTuner tuner = new PolicyTuner(policy, POOL, Runnable::run, settings(0), listener);

        double[] demandAt = {1.15, 1.19};
        for (double f : demandAt) {
            tuner.offer(verdict(0, f)); // the others 15-19% better: within the 20% margin
            tuner.apply();
        }
        assertThat(policy.current()).isEqualTo(PolicyName.DEMAND);

        // ect-o3 best by far: left for it
        double[] ectBest = new double[TunedPolicy.CANDIDATES.size()];
        Arrays.fill(ectBest, 300);
        ectBest[ECT] = 100;
        tuner.offer(new PolicyTuner.Verdict(ectBest, ectBest.clone(), ectBest.clone(), ectBest.clone()));
        tuner.apply();
        assertThat(policy.current()).isEqualTo(PolicyName.ECT_O3);

        // demand 10% better than ect-o3: back by the 5% margin
        double[] demandBest = new double[TunedPolicy.CANDIDATES.size()];
        Arrays.fill(demandBest, 300);
        demandBest[0] = 100;
        demandBest[ECT] = 110;
        tuner.offer(new PolicyTuner.Verdict(demandBest, demandBest.clone(), demandBest.clone(), demandBest.clone()));
        tuner.apply();
        assertThat(policy.current()).isEqualTo(PolicyName.DEMAND);
        assertThat(events).containsExactly("demand -> ect-o3", "ect-o3 -> demand");
    }

    @Test
    void aCandidateWorseUnderStressIsNotChosen() {
        TunedPolicy policy = new TunedPolicy();
        PolicyTuner tuner = new PolicyTuner(policy, POOL, Runnable::run, settings(0), listener);
        int k = TunedPolicy.CANDIDATES.size();
        double[] pace = new double[k];
        Arrays.fill(pace, 300);
        pace[ECT] = 100; // best at the arrivals' own pace...
        double[] stressed = new double[k];
        Arrays.fill(stressed, 300);
        stressed[ECT] = 3_000; // ...but its queue runs away 1.3x as fast
        tuner.offer(new PolicyTuner.Verdict(pace, pace.clone(), stressed, stressed.clone()));
        tuner.apply();
        assertThat(policy.current()).isEqualTo(PolicyName.DEMAND);
    }

    @Test
    void failedReplaysAreNeverChosenAndTeachNothingWhenAllFail() {
        TunedPolicy policy = new TunedPolicy();
        PolicyTuner tuner = new PolicyTuner(policy, POOL, Runnable::run, settings(0), listener);
        double[] allFailed = new double[TunedPolicy.CANDIDATES.size()];
        Arrays.fill(allFailed, Double.NaN);
        tuner.offer(new PolicyTuner.Verdict(allFailed, allFailed, allFailed, allFailed));
        tuner.apply();
        assertThat(tuner.replays()).isZero();
        assertThat(tuner.scores().values()).allMatch(s -> s.isNaN());

        double[] onlyEctFailed = new double[TunedPolicy.CANDIDATES.size()];
        Arrays.fill(onlyEctFailed, 300);
        onlyEctFailed[0] = 200;
        onlyEctFailed[ECT] = Double.NaN;
        tuner.offer(new PolicyTuner.Verdict(onlyEctFailed, onlyEctFailed.clone(), onlyEctFailed.clone(), onlyEctFailed.clone()));
        tuner.apply();
        assertThat(policy.current()).isEqualTo(PolicyName.DEMAND);
        assertThat(tuner.scores().get(PolicyName.ECT_O3)).isGreaterThan(10);
    }

    /** Two models of 400 bytes: 100 ms to load, 10 ms to run. */
    private static ModelStats stats(String model) {
        return new ModelStats(model, 400, 100, 10);
    }

    private static final IntFunction<RouterTuner.Snapshot> HOLDING_A = most -> new RouterTuner.Snapshot(
            List.of(new Residency(0, "a", 400)), List.of("b"));

    @Test
    void replaysRecentArrivalsThroughTheSimulatorWhenAnEpochEnds() {
        TunedPolicy policy = new TunedPolicy();
        PolicyTuner tuner = new PolicyTuner(policy, POOL, Runnable::run, settings(0), listener);
        for (int i = 0; i < 9; i++) {
            tuner.arrived(i % 2 == 0 ? "a" : "b", i * 5, HOLDING_A, PolicyTunerTest::stats);
        }
        assertThat(events).isEmpty();
        tuner.arrived("a", 45, HOLDING_A, PolicyTunerTest::stats);
        // the epoch's 10 arrivals and the one invocation waiting at its start
        assertThat(events).containsExactly("replayed 11");
        tuner.apply();
        assertThat(tuner.replays()).isEqualTo(1);
        assertThat(tuner.scores().values()).noneMatch(s -> s.isNaN());

        for (int i = 10; i < 20; i++) {
            tuner.arrived("b", i * 5, HOLDING_A, PolicyTunerTest::stats);
        }
        // two epochs now: 20 arrivals and the first one's waiting invocation
        assertThat(events).containsExactly("replayed 11", "replayed 21");
    }

    @Test
    void anEpochEndingWhileAReplayRunsIsSkipped() {
        List<Runnable> queued = new ArrayList<>();
        Executor later = queued::add;
        PolicyTuner tuner = new PolicyTuner(new TunedPolicy(), POOL, later, settings(0), listener);
        for (int i = 0; i < 20; i++) {
            tuner.arrived("a", i, HOLDING_A, PolicyTunerTest::stats);
        }
        assertThat(queued).hasSize(1);
        assertThat(events).containsExactly("skipped 21");
        queued.get(0).run();
        assertThat(events).containsExactly("skipped 21", "replayed 11");
        for (int i = 20; i < 30; i++) {
            tuner.arrived("a", i, HOLDING_A, PolicyTunerTest::stats);
        }
        assertThat(queued).as("the replay finished: the next epoch replays again").hasSize(2);
    }

    @Test
    void replaysStayWithinTheirBudget() {
        // One simulated arrival per real one, no allowance: a replay of 11 arrivals x 5 candidates x 2
        // speeds never fits.
        PolicyTuner.Settings tight = new PolicyTuner.Settings(10, 60_000, 5, 2, 1.3, 0, 0.2, 0.05, 0, 1, 0);
        PolicyTuner tuner = new PolicyTuner(new TunedPolicy(), POOL, Runnable::run, tight, listener);
        for (int i = 0; i < 50; i++) {
            tuner.arrived("a", i, HOLDING_A, PolicyTunerTest::stats);
        }
        assertThat(events).isEmpty();
    }

    @Test
    void badSettingsFailLoudly() {
        assertThatThrownBy(() -> new PolicyTuner.Settings(10, 1_000, 20, 1, 1.3, 0, 0.2, 0.05, 0.5, 10, 0))
                .hasMessageContaining("min arrivals");
        assertThatThrownBy(() -> new PolicyTuner.Settings(10, 1_000, 5, 1, 0.5, 0, 0.2, 0.05, 0.5, 10, 0))
                .hasMessageContaining("stress factor");
        assertThatThrownBy(() -> new PolicyTuner.Settings(10, 1_000, 5, 1, 1.3, 0, 0.2, 0.05, 1, 10, 0))
                .hasMessageContaining("memory");
        assertThatThrownBy(() -> new PolicyTuner.Settings(10, 1_000, 5, 0, 1.3, 0, 0.2, 0.05, 0.5, 10, 0))
                .hasMessageContaining("at least one epoch");
    }
}
