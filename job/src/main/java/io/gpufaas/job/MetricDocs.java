package io.gpufaas.job;

import io.gpufaas.operators.metrics.GpuFaasMetric;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Prints docs/metrics.md's table from {@link GpuFaasMetric} (scripts/metric-docs.sh writes it there). */
public final class MetricDocs {

    private MetricDocs() {}

    public static String markdownTable() {
        return Stream.concat(Stream.of("| operator | metric | kind | what it tells |", "| --- | --- | --- | --- |"),
                Stream.of(GpuFaasMetric.values()).map(m -> "| `%s` | `%s` | %s | %s |".formatted(
                        m.operator().operatorName(), m.metricName(), m.kind().name().toLowerCase(java.util.Locale.ROOT),
                        m.description().replace("|", "\\|"))))
                .collect(Collectors.joining("\n"));
    }

    public static void main(String[] args) {
        System.out.println(markdownTable());
    }
}
