package io.gpufaas.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import io.gpufaas.core.router.policy.PolicyName;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadTest {

    private static final int MINUTES = 60;

    /** 40 functions called once a minute and 10 called 30 times a minute, for an hour. */
    private static AzureTrace trace() {
        List<AzureTrace.TraceFunction> functions = new ArrayList<>();
        for (int f = 0; f < 50; f++) {
            int[] perMinute = new int[MINUTES];
            Arrays.fill(perMinute, f < 40 ? 1 : 30);
            functions.add(new AzureTrace.TraceFunction("f" + f, perMinute, Double.NaN));
        }
        return new AzureTrace(functions);
    }

    private static Workload build(long seed) {
        List<Workload.ModelCost> models = List.of(new Workload.ModelCost("m", 1 << 20, 100, 1));
        return Workload.build(trace(), models, true, new Workload.Spec(50, 0, MINUTES, 1, seed, false));
    }

    @Test
    void eachFunctionKeepsItsCountInEveryMinute() {
        Workload w = build(1);
        int[][] counts = new int[50][MINUTES];
        for (int i = 0; i < w.invocations(); i++) {
            counts[w.function()[i]][(int) (w.arrivalMs()[i] / 60_000)]++;
        }
        int once = 0;
        for (int[] perMinute : counts) {
            // The functions come in a seeded order: each keeps its own count, minute by minute.
            assertThat(perMinute[0]).isIn(1, 30);
            assertThat(perMinute).containsOnly(perMinute[0]);
            once += perMinute[0] == 1 ? 1 : 0;
        }
        assertThat(once).isEqualTo(40);
    }

    /**
     * Arrivals given a minute's count are spread over the whole minute, not gathered at its end:
     * a sum of exponential gaps clamped to the minute put over a third of the once-a-minute
     * functions' calls at the minute's last instant, all together.
     */
    @Test
    void arrivalsDoNotGatherAtAMinutesEnd() {
        for (long seed = 1; seed <= 5; seed++) {
            Workload w = build(seed);
            long inLastHundredth = Arrays.stream(w.arrivalMs()).filter(t -> t % 60_000 >= 59_400).count();
            assertThat(inLastHundredth).as("seed %d", seed).isLessThan(w.invocations() / 20);
            assertThat(Arrays.stream(w.arrivalMs()).distinct().count()).as("seed %d", seed).isEqualTo(w.invocations());
        }
    }

    /**
     * A renamed workload is the same workload to a policy that ignores names, and a different one
     * to a policy that hashes them: what {@code scripts/bench-screen.sh --salts} relies on.
     */
    @Test
    void renamingChangesOnlyWhatNamesDecide() {
        List<Workload.ModelCost> models = new ArrayList<>();
        for (int m = 0; m < 50; m++) {
            models.add(new Workload.ModelCost("m" + m, (1L << 20) * (10 + m), 50 + m, 5));
        }
        Workload w = Workload.build(trace(), models, true, new Workload.Spec(50, 0, 5, 1, 1, false));
        Workload renamed = w.renamed("~1");
        assertThat(renamed.models()).hasSize(w.models().size()).allMatch(m -> m.endsWith("~1"));
        assertThat(renamed.arrivalMs()).isEqualTo(w.arrivalMs());
        assertThat(renamed.function()).isEqualTo(w.function());
        assertThat(w.renamed("")).isSameAs(w);

        Simulator.Config config = new Simulator.Config(4, 200L << 20, 1, 16, 64);
        assertThat(Simulator.run(renamed, config.withPolicy(PolicyName.ROUND_ROBIN)).latenciesMs())
                .containsExactly(Simulator.run(w, config.withPolicy(PolicyName.ROUND_ROBIN)).latenciesMs());
        assertThat(Simulator.run(renamed, config.withPolicy(PolicyName.CH_BL)).latenciesMs())
                .isNotEqualTo(Simulator.run(w, config.withPolicy(PolicyName.CH_BL)).latenciesMs());
    }
}
