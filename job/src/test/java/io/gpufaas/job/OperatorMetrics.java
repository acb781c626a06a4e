package io.gpufaas.job;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/** An operator's metrics as a metric reporter sees them, over all its subtasks. */
final class OperatorMetrics {

    private OperatorMetrics() {}

    /** Every counter, summed over the subtasks. */
    static Map<String, Long> counters(InMemoryReporter reporter, JobID job, String operator) {
        Map<String, Long> counters = new HashMap<>();
        for (OperatorMetricGroup group : reporter.findOperatorMetricGroups(job, operator)) {
            reporter.getMetricsByGroup(group).forEach((name, metric) -> {
                if (metric instanceof Counter c) {
                    counters.merge(name, c.getCount(), Long::sum);
                }
            });
        }
        return counters;
    }

    /** The largest value of a numeric gauge over the subtasks; fails if no subtask has it. */
    static long maxGauge(InMemoryReporter reporter, JobID job, String operator, String name) {
        Long max = null;
        for (OperatorMetricGroup group : reporter.findOperatorMetricGroups(job, operator)) {
            if (reporter.getMetricsByGroup(group).get(name) instanceof Gauge<?> g) {
                long value = ((Number) g.getValue()).longValue();
                max = max == null ? value : Math.max(max, value);
            }
        }
        if (max == null) {
            throw new AssertionError("operator " + operator + " has no gauge " + name);
        }
        return max;
    }
}
