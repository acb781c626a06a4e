package io.gpufaas.job;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/** An operator's counters as a metric reporter sees them, summed over its subtasks. */
final class OperatorCounters {

    private OperatorCounters() {}

    static Map<String, Long> of(InMemoryReporter reporter, JobID job, String operator) {
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
}
