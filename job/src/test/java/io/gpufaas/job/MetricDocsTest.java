package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.operators.metrics.GpuFaasMetric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MetricDocsTest {

    @Test
    void theMetricsPageListsEveryMetricAsItIsDeclared() throws IOException {
        assertThat(Files.readString(Path.of("..", "docs", "metrics.md")))
                .as("docs/metrics.md is stale: regenerate it with scripts/metric-docs.sh")
                .contains(MetricDocs.markdownTable());
    }

    @Test
    void namesAreUniquePerOperator() {
        assertThat(Arrays.stream(GpuFaasMetric.values()).map(m -> m.operator() + "/" + m.metricName()))
                .doesNotHaveDuplicates();
    }

    /** The Grafana dashboard asks only for metrics gpufaas declares (or Flink's own, none so far). */
    @Test
    void theDashboardQueriesDeclaredMetrics() throws IOException {
        String dashboard = Files.readString(Path.of("..", "docs", "grafana", "gpufaas.json"));
        java.util.regex.Matcher names = Pattern.compile("flink_taskmanager_job_task_operator_(\\w+)").matcher(dashboard);
        List<String> declared = Arrays.stream(GpuFaasMetric.values()).map(GpuFaasMetric::metricName).toList();
        int queried = 0;
        while (names.find()) {
            assertThat(declared).contains(names.group(1));
            queried++;
        }
        assertThat(queried).isGreaterThan(10);
    }

    /** A metric registered by a string of its own would be undocumented: only GpuFaasMetric registers. */
    @Test
    void noOperatorRegistersAMetricByName() throws IOException {
        Pattern byName = Pattern.compile("\\.(counter|gauge|histogram|meter)\\(\\s*\"");
        List<Path> offenders;
        try (Stream<Path> files = Stream.concat(Files.walk(Path.of("..", "operators", "src", "main", "java")),
                Files.walk(Path.of("src", "main", "java")))) {
            offenders = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    return byName.matcher(Files.readString(f)).find();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertThat(offenders).isEmpty();
    }
}
