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
        assertThat(trace.functions().get(1).averageDurationMs()).isEqualTo(100.0); // not in the durations file
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
}
