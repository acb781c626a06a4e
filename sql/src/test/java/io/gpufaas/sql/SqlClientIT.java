package io.gpufaas.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.testkit.KafkaBrokerExtension;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a Flink SQL user does, end to end: Flink's own SQL client, a process of its own with only
 * Flink's jars and the connector jar ({@code --jar}), runs scripts/sql/ml-predict.sql (CREATE MODEL,
 * ML_PREDICT over images and tensors) against a cluster running the gpufaas job, and prints the
 * rows. scripts/sql-check.sh does the same against scripts/cluster.sh's standalone cluster.
 */
class SqlClientIT {

    @RegisterExtension
    @Order(1)
    static final KafkaBrokerExtension BROKER = new KafkaBrokerExtension();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    static final Path JAR = Path.of("target", "gpufaas-sql-connector-0.1.0-SNAPSHOT.jar").toAbsolutePath();
    static final Path SCRIPT = Path.of("..", "scripts", "sql", "ml-predict.sql");

    private static JobClient job;

    @BeforeAll
    static void startGpuFaas() throws Exception {
        // The script uses the job's default topics.
        BROKER.kafka().createTopics(2, "gpufaas.invocations", "gpufaas.results", "gpufaas.dead-letters",
                "gpufaas.worker-status", "gpufaas.control");
        job = TestModelsJob.start(BROKER.kafka().bootstrapServers());
    }

    @AfterAll
    static void stopGpuFaas() throws Exception {
        if (job != null) {
            job.cancel().get();
        }
    }

    @Test
    void flinksSqlClientGetsAPredictionForEveryRow(@TempDir Path dir) throws Exception {
        Configuration client = FLINK.getClientConfiguration();
        Files.writeString(dir.resolve("config.yaml"), "rest:\n  address: " + client.get(RestOptions.ADDRESS)
                + "\n  port: " + client.get(RestOptions.PORT) + "\n");
        Path script = dir.resolve("ml-predict.sql");
        Files.writeString(script, Files.readString(SCRIPT).replace("${BOOTSTRAP}", BROKER.kafka().bootstrapServers()));
        Path output = Path.of("target", "sql-client-it.out");

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens")).forEach(command::add);
        command.addAll(List.of("-Xmx512m", "-cp",
                FlinkOnlyClasspath.jars().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)), "org.apache.flink.table.client.SqlClient",
                "--jar", JAR.toString(), "-f", script.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("FLINK_CONF_DIR", dir.toString());
        Process process = builder.start();
        boolean ended = process.waitFor(240, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        String printed = Files.readString(output).replaceAll("\u001B\\[[0-9;]*m", "");
        assertThat(ended).as("the SQL client ended; its output:%n%s", printed).isTrue();
        assertThat(process.exitValue()).as("the SQL client's exit status; its output:%n%s", printed).isZero();

        List<String> rows = rows(printed);
        assertThat(rows).as("rows printed by the SQL client; its output is in %s", output).hasSize(7);
        assertThat(rows).anyMatch(r -> r.matches("image red OK class_\\d+"))
                .anyMatch(r -> r.matches("image green OK class_\\d+"))
                .anyMatch(r -> r.matches("image blue OK class_\\d+"))
                .contains("image not-an-image REJECTED <NULL>")
                // udf-gpu/src/test/resources/repo/reference.json records this input's logits: cat wins
                .contains("tensor reference OK cat")
                .anyMatch(r -> r.matches("tensor ones OK (cat|dog|bird)"))
                .contains("tensor three-values REJECTED <NULL>");
    }

    /** kind, name, status and label of each "+I" row of the client's tableau output. */
    private static List<String> rows(String printed) {
        List<String> rows = new ArrayList<>();
        for (String line : printed.split("\n")) {
            String[] cells = line.split("\\|");
            if (cells.length > 5 && cells[1].trim().equals("+I")) {
                rows.add(cells[2].trim() + " " + cells[3].trim() + " " + cells[4].trim() + " " + cells[5].trim());
            }
        }
        return rows;
    }
}
