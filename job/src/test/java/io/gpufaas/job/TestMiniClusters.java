package io.gpufaas.job;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The MiniClusters the job's ITCases run on. */
final class TestMiniClusters {

    private TestMiniClusters() {}

    static MiniClusterExtension of(int taskManagers, int slotsPerTaskManager) {
        return of(taskManagers, slotsPerTaskManager, new Configuration());
    }

    /** One whose metrics {@code metrics} keeps, for assertions on counters and gauges. */
    static MiniClusterExtension reportingTo(InMemoryReporter metrics, int taskManagers, int slotsPerTaskManager) {
        return of(taskManagers, slotsPerTaskManager, metrics.addToConfiguration(new Configuration()));
    }

    private static MiniClusterExtension of(int taskManagers, int slotsPerTaskManager, Configuration conf) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(taskManagers)
                .setNumberSlotsPerTaskManager(slotsPerTaskManager)
                .setConfiguration(conf)
                .build());
    }
}
