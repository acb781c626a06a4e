package io.gpufaas.core.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gpufaas.core.router.Residency;
import io.gpufaas.core.router.policy.PolicyName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatorTest {

    /** Two 100-byte models: load 100 ms, run 10 ms; arrivals a@0, b@0, a@200. */
    private static Workload handMade() {
        return new Workload(List.of("a", "b"), new long[] {100, 100}, new double[] {100, 100}, new double[] {10, 10},
                new double[] {0, 0, 200}, new int[] {0, 1, 0});
    }

    @Test
    void oneGpuRunsTheHandMadeWorkloadWithExactLatencies() {
        // One GPU, room for one model: a loads (110), b waits then evicts a and loads (220 in all),
        // a at 200 waits for b to finish at 220, loads again: done at 330, latency 130.
        SimResult r = Simulator.run(handMade(), new Simulator.Config(1, 100, 1, 16, 64).withPolicy(PolicyName.LALB));

        assertThat(r.latenciesMs()).containsExactly(110, 130, 220);
        assertThat(r.hits()).isZero();
        assertThat(r.misses()).isEqualTo(3);
        assertThat(r.makespanMs()).isEqualTo(330);
        assertThat(r.meanMs()).isCloseTo(153.33, within(0.01));
        assertThat(r.quantileMs(0.5)).isEqualTo(130);
        // One ask per start, each made when the GPU's slot came free; lalb keeps no refusals.
        assertThat(r.policyDecisions()).isEqualTo(3);
        assertThat(r.keptRefusals()).isZero();
    }

    @Test
    void aDispatchListenerHearsEachAssignmentWhenItIsMadeAndChangesNothing() {
        // As in the hand-made run above: a loads at 0; b is dispatched once a's run ends at 110 and
        // evicts a; a comes back at 200 but waits for b's run (ends at 220) and evicts b.
        List<String> heard = new java.util.ArrayList<>();
        Simulator.Config config = new Simulator.Config(1, 100, 1, 16, 64).withPolicy(PolicyName.LALB);
        SimResult r = Simulator.run(handMade(), config,
                (atMs, a) -> heard.add(atMs + " " + a.model() + (a.load() ? " load" : " hit") + " evicts " + a.evict()));

        assertThat(heard).containsExactly("0.0 a load evicts []", "110.0 b load evicts [a]", "220.0 a load evicts [b]");
        assertThat(r.latenciesMs()).containsExactly(Simulator.run(handMade(), config).latenciesMs());
    }

    @Test
    void eachInvocationsLatencyIsKeptUnderItsOwnIndex() {
        // Two GPUs: a@0 loads 100 and runs 10 (done at 110); b@1 loads 10 and runs 1 on the other
        // GPU (done at 12, latency 11). b finishes first; a is still invocation 0.
        Workload w = new Workload(List.of("a", "b"), new long[] {100, 100}, new double[] {100, 10}, new double[] {10, 1},
                new double[] {0, 1}, new int[] {0, 1});
        SimResult r = Simulator.run(w, new Simulator.Config(2, 100, 1, 16, 64).withPolicy(PolicyName.LALB));

        assertThat(r.latencyOfInvocationMs(0)).isEqualTo(110);
        assertThat(r.latencyOfInvocationMs(1)).isEqualTo(11);
        assertThat(r.latenciesByInvocationMs()).containsExactly(110, 11);
        assertThat(r.latenciesMs()).containsExactly(11, 110);
    }

    @Test
    void withRoomForBothTheRepeatIsAHit() {
        SimResult r = Simulator.run(handMade(), new Simulator.Config(1, 200, 1, 16, 64).withPolicy(PolicyName.LALB));
        assertThat(r.hits()).isEqualTo(1);
        // a at 200 waits 20 ms for the GPU (b runs until 220), then hits: latency 30.
        assertThat(r.latenciesMs()).containsExactly(30, 110, 220);
    }

    @Test
    void aReplayStartsFromTheModelsAlreadyResident() {
        // a is resident on the one GPU: a@0 hits (done at 10), b@0 waits for the slot, evicts a and
        // loads (done at 120), a@200 loads again (done at 310). Without it, a@0 would have loaded too.
        Simulator.Config one = new Simulator.Config(1, 100, 1, 16, 64).withPolicy(PolicyName.LALB);
        SimResult warm = Simulator.run(handMade(), one, List.of(new Residency(0, "a", 100)));
        assertThat(warm.hits()).isEqualTo(1);
        assertThat(warm.latenciesMs()).containsExactly(10, 110, 120);
        // A model the workload does not name, or a worker the pool lacks, is left out.
        SimResult ignored = Simulator.run(handMade(), one, List.of(new Residency(0, "z", 50),
                new Residency(3, "a", 100)));
        assertThat(ignored.latenciesMs()).containsExactly(110, 130, 220);
    }

    @Test
    void workersSharingHostCoresSlowEachOtherDown() {
        // Two models already in use on two GPUs: a@0 and b@0 load (100) and run (10) at once.
        Workload w = new Workload(List.of("a", "b"), new long[] {100, 100}, new double[] {100, 100}, new double[] {10, 10},
                new double[] {0, 0}, new int[] {0, 1});
        Simulator.Config own = new Simulator.Config(2, 100, 1, 16, 64);
        assertThat(Simulator.run(w, own.withPolicy(PolicyName.LALB)).latenciesMs()).containsExactly(110, 110);
        // On one shared core each progresses at half speed: both end at 220.
        assertThat(Simulator.run(w, own.withHostCores(1).withPolicy(PolicyName.LALB)).latenciesMs()).containsExactly(220, 220);
        // Two cores for two workers: no slowdown.
        assertThat(Simulator.run(w, own.withHostCores(2).withPolicy(PolicyName.LALB)).latenciesMs()).containsExactly(110, 110);
    }

    @Test
    void sharingSpeedsUpAgainWhenWorkEnds() {
        // a and b need 110 ms of work each (load 100, run 10), c 300 ms; all arrive at 0 on three GPUs
        // sharing one core. All run at 1/3 speed until a and b finish at 330; c then has 190 ms of
        // work left at full speed: it ends at 520.
        Workload w = new Workload(List.of("a", "b", "c"), new long[] {100, 100, 100}, new double[] {100, 100, 290},
                new double[] {10, 10, 10}, new double[] {0, 0, 0}, new int[] {0, 1, 2});
        SimResult r = Simulator.run(w, new Simulator.Config(3, 100, 1, 16, 64).withHostCores(1).withPolicy(PolicyName.LALB));
        assertThat(r.latenciesMs()).containsExactly(330, 330, 520);
    }

    @Test
    void beladyEvictsTheModelUsedFurthestInTheFuture() {
        // Accesses a b c a b with room for two: to fit c it evicts the model used furthest ahead
        // (b, next at 4), so a at 3 hits and b at 4 misses: 1 hit of 5. Room for three: 2 hits.
        Workload w = new Workload(List.of("a", "b", "c"), new long[] {1, 1, 1}, new double[3], new double[3],
                new double[] {0, 1, 2, 3, 4}, new int[] {0, 1, 2, 0, 1});
        assertThat(Belady.hitRatio(w, 2)).isEqualTo(1 / 5.0);
        assertThat(Belady.hitRatio(w, 3)).isEqualTo(2 / 5.0);
    }

    @Test
    void workloadsFromTheRealTraceAreDeterministicAndCountTheTrace() {
        // ../shared sits beside the checkout; tests run from a module directory one level down.
        Path shared = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null && shared == null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("shared/data/azure-functions-2019-sample"))) {
                shared = dir.resolve("shared/data");
            }
        }
        assumeTrue(shared != null, "no shared/data beside this checkout");
        AzureTrace trace = AzureTrace.read(shared.resolve("azure-functions-2019-sample"), "1000");
        ModelCatalogue catalogue = ModelCatalogue.read(shared.resolve("models/torchvision-classification-weights.csv"));
        assertThat(trace.functions()).hasSize(1000);
        assertThat(trace.functions().stream().mapToLong(AzureTrace.TraceFunction::invocations).sum()).isEqualTo(608_228);

        Workload.Spec spec = new Workload.Spec(35, 600, 10, 60, 7, false);
        Workload a = Workload.build(trace, catalogue, CostModel.v100FromHost(), spec);
        Workload b = Workload.build(trace, catalogue, CostModel.v100FromHost(), spec);
        assertThat(a.arrivalMs()).containsExactly(b.arrivalMs());
        assertThat(a.models()).isEqualTo(b.models()).hasSize(35);
        assertThat(a.durationMs()).isLessThanOrEqualTo(10 * 1000.0);
        for (int i = 1; i < a.invocations(); i++) {
            assertThat(a.arrivalMs()[i]).isGreaterThanOrEqualTo(a.arrivalMs()[i - 1]);
        }
        SimResult lb = Simulator.run(a, Simulator.Config.singleSlot(4, 3L << 30).withPolicy(PolicyName.ROUND_ROBIN));
        SimResult lalb = Simulator.run(a, Simulator.Config.singleSlot(4, 3L << 30).withPolicy(PolicyName.LALB_O3));
        assertThat(lb.latenciesMs()).hasSize(a.invocations());
        assertThat(lalb.hitRatio()).isGreaterThan(lb.hitRatio());
    }
}
