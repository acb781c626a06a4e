package io.gpufaas.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpufaas.bench.FleetBar.Key;
import io.gpufaas.bench.FleetBar.Latency;
import io.gpufaas.bench.FleetBar.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetBarTest {

    private static final List<Run> RUNS = List.of(
            new Run("timer-s4", 0, 0.95, new Latency(210.7, 3023.0), new Latency(1812.2, 2866.4), 4.6),
            new Run("timer-s4", 1, 0.95, new Latency(209.6, 2800.0), new Latency(1829.9, 2887.7), 4.6),
            new Run("timer-s4", 0, 0.2, new Latency(28.0, 434.0), new Latency(30.0, 486.0), 21.7),
            new Run("timer-s4", 1, 0.2, new Latency(28.0, 434.0), new Latency(28.04321, 434.017), 21.7));

    @Test
    void aRunMeetsTheBarOnlyWhenOursIsNoWorseOnBothMeanAndP99() {
        assertThat(RUNS.stream().map(Run::meetsBar)).containsExactly(false, true, true, true);
        assertThat(new Run("t", 0, 0.6, new Latency(10, 100), new Latency(9, 200), 1).meetsBar()).isFalse();
    }

    @Test
    void spreadGivesTheMedianAndARangeOnlyWhereTheDecimalsShowOne() {
        assertThat(FleetBar.spread(new double[] {1.09, 0.95, 1.02}, 2)).isEqualTo("1.02 (0.95-1.09)");
        assertThat(FleetBar.spread(new double[] {4, 1, 3, 2}, 1)).isEqualTo("2.5 (1.0-4.0)");
        assertThat(FleetBar.spread(new double[] {0.901, 0.899}, 2)).isEqualTo("0.90");
        assertThat(FleetBar.spread(new double[] {1234.0}, 0)).isEqualTo("1,234");
    }

    @Test
    void aStoredReportGivesBackEveryBaselineRun(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("fleet-bar-tune.csv");
        Files.writeString(csv, FleetBar.csv(RUNS));
        Map<Key, Latency> read = FleetBar.readBaseline(csv);
        assertThat(read).hasSize(RUNS.size());
        for (Run r : RUNS) {
            Latency baseline = read.get(Key.of(r.trace(), r.renaming(), r.load()));
            assertThat(baseline).isEqualTo(r.baseline());
            assertThat(new Run(r.trace(), r.renaming(), r.load(), r.ours(), baseline, r.simulatedSeconds()).meetsBar()).isEqualTo(r.meetsBar());
        }
    }

    @Test
    void aFileThatIsNotAFleetBarReportIsRefused(@TempDir Path dir) throws Exception {
        Path other = dir.resolve("grid-cells.csv");
        Files.writeString(other, "start,seed,functions\n0,1,35\n");
        assertThatThrownBy(() -> FleetBar.readBaseline(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a fleet-bar CSV");
    }

    @Test
    void theReportCountsTheRunsThatMeetTheBarAndMarksTheDaysThatMiss() {
        String md = FleetBar.markdown(RUNS, List.of(0, 1), List.of(0.2, 0.95), "scripts/bench-fleet-bar.sh", 1, 2, "t", null);
        assertThat(md).contains("**Ours meets the bar in 3 of 4 runs**")
                .contains("At u = 0.20: 2 of 2").contains("At u = 0.95: 1 of 2")
                .contains("| timer-s4 | 0.95 | 4.6 |").contains("**1 of 2** |")
                .contains("| timer-s4 | 0.20 | 21.7 |").contains("| 2 of 2 |")
                .contains("the days last 4.6-21.7 s of simulated time. The runs that miss the bar last 4.6 s; "
                        + "2 of the 4 runs are that short or shorter.")
                .doesNotContain("not rerun");
        assertThat(FleetBar.markdown(RUNS, List.of(0, 1), List.of(0.2, 0.95), "x", 1, 2, "t", Path.of("stored.csv")))
                .contains("ch-bl's runs were not rerun: they are read from `stored.csv`.");
    }

    @Test
    void whereEveryRunMeetsTheBarTheReportGivesOnlyTheDaysLengths() {
        List<Run> met = RUNS.stream().filter(Run::meetsBar).toList();
        assertThat(FleetBar.missedDays(met)).isEqualTo("Squeezed to their load on this fleet, the days last 4.6-21.7 s "
                + "of simulated time.");
        assertThat(FleetBar.simulated(417.49)).isEqualTo("417");
        assertThat(FleetBar.simulated(1417.5)).isEqualTo("1,418");
    }
}
