package io.gpufaas.job;

import io.gpufaas.testkit.EmbeddedKafka;
import io.gpufaas.testkit.KafkaBrokerExtension;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * What a job ITCase runs on, as one extension: a real broker, then a MiniCluster (started in that
 * order, stopped in reverse). Register it as a static field with {@code @RegisterExtension}; it
 * injects what the MiniCluster extension injects ({@code @InjectMiniCluster} and the like).
 */
final class JobTestCluster
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private final KafkaBrokerExtension broker = new KafkaBrokerExtension();
    private final MiniClusterExtension flink;

    private JobTestCluster(MiniClusterExtension flink) {
        this.flink = flink;
    }

    static JobTestCluster of(int taskManagers, int slotsPerTaskManager) {
        return new JobTestCluster(TestMiniClusters.of(taskManagers, slotsPerTaskManager));
    }

    /** One whose metrics {@code metrics} keeps, for assertions on counters and gauges. */
    static JobTestCluster reportingTo(InMemoryReporter metrics, int taskManagers, int slotsPerTaskManager) {
        return new JobTestCluster(TestMiniClusters.reportingTo(metrics, taskManagers, slotsPerTaskManager));
    }

    EmbeddedKafka kafka() {
        return broker.kafka();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        broker.beforeAll(context);
        flink.beforeAll(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        flink.beforeEach(context);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        flink.afterEach(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            flink.afterAll(context);
        } finally {
            broker.afterAll(context);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return flink.supportsParameter(parameter, context);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return flink.resolveParameter(parameter, context);
    }
}
