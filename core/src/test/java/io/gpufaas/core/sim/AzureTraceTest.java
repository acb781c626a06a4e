package io.gpufaas.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AzureTraceTest {

    @Test
    void readsTheSamplesFormatWithItsDurations(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("t_inv.csv"), """
                HashFunction,HashOwner,HashApp,minute_1,minute_2,minute_3
                f1,o,a,1,,3
                f2,o,a,0,2,0
                """);
        Files.writeString(dir.resolve("t_run.csv"), """
                HashOwner,HashApp,HashFunction,Average,Count
                o,a,f1,250.5,4
                """);
        AzureTrace trace = AzureTrace.read(dir.resolve("t_inv.csv"));
        assertThat(trace.functions()).extracting(AzureTrace.TraceFunction::hash).containsExactly("f1", "f2");
        assertThat(trace.functions().get(0).perMinute()).containsExactly(1, 0, 3);
        assertThat(trace.functions().get(0).averageDurationMs()).isEqualTo(250.5);
        assertThat(trace.functions().get(1).hasDuration()).isFalse(); // not in the durations file
        assertThat(AzureTrace.read(dir, "t").functions()).hasSize(2);
    }

    @Test
    void readsThePublishedDatasetsFormatWithoutADurationsFile(@TempDir Path dir) throws Exception {
        Path inv = dir.resolve("invocations_per_function_md.anon.d01.csv");
        Files.writeString(inv, """
                HashOwner,HashApp,HashFunction,Trigger,1,2,3,4
                o,a,f1,http,5,0,0,1
                """);
        AzureTrace trace = AzureTrace.read(inv);
        assertThat(trace.functions()).singleElement().satisfies(f -> {
            assertThat(f.perMinute()).containsExactly(5, 0, 0, 1);
            assertThat(f.invocations()).isEqualTo(6);
        });
    }

    @org.junit.jupiter.api.Test
    void readsTheInVitroFormatWithItsDurationsAndFindsBusyWindows(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        StringBuilder header = new StringBuilder("HashOwner,HashApp,HashFunction,Trigger");
        for (int m = 1; m <= 120; m++) {
            header.append(',').append(m);
        }
        StringBuilder busyLate = new StringBuilder("o,a,late,http");
        StringBuilder quiet = new StringBuilder("o,a,quiet,timer");
        for (int m = 0; m < 120; m++) {
            busyLate.append(',').append(m >= 90 ? 5 : 0);
            quiet.append(',').append(m == 100 ? 1 : 0);
        }
        java.nio.file.Files.writeString(dir.resolve("invocations.csv"), header + "\n" + busyLate + "\n" + quiet + "\n");
        java.nio.file.Files.writeString(dir.resolve("durations.csv"), "HashOwner,HashApp,HashFunction,Average,Count\n"
                + "o,a,late,42,1\no,a,quiet,7,1\n");

        AzureTrace trace = AzureTrace.read(dir.resolve("invocations.csv"));

        assertThat(trace.functions()).extracting(AzureTrace.TraceFunction::averageDurationMs).containsExactly(42.0, 7.0);
        assertThat(trace.minutes()).isEqualTo(120);
        assertThat(trace.activeFunctions(0, 30)).isZero();
        // Both functions are active only late in the trace: the busiest window finds them.
        assertThat(trace.activeFunctions(trace.busiestWindow(30), 30)).isEqualTo(2);
    }

    @org.junit.jupiter.api.Test
    void aBadTraceSaysWhichFileAndColumn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("x_inv.csv"), "HashFunction,minute_1,minute_2\nf,1,lots\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AzureTrace.read(dir.resolve("x_inv.csv")))
                .hasMessageContaining("x_inv.csv line 2, column minute_2");
        java.nio.file.Files.writeString(dir.resolve("y_inv.csv"), "Function,minute_1\nf,1\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AzureTrace.read(dir.resolve("y_inv.csv")))
                .hasMessageContaining("y_inv.csv: no column 'HashFunction'");
    }
}
