package io.gpufaas.job.feedback;

import io.gpufaas.core.contract.WorkerOutput;
import io.gpufaas.core.contract.WorkerReport;
import io.gpufaas.core.router.RouterSignal;
import io.gpufaas.job.kafka.KafkaSources;
import java.util.Objects;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The router's feedback loop, both ends in one place: the workers write one report per batch, or
 * per time slice where batches end faster ({@link #close}), and the router reads them back,
 * beside functions removed on the control topic, keyed like the invocations ({@link #open}).
 *
 * <p>The contract this loop keeps:
 * <ul>
 *   <li><b>Order.</b> A report is keyed by the function it names, as invocations are, so the
 *       router sees a function's invocations and reports in one order.</li>
 *   <li><b>Not checkpointed.</b> Reports are advisory and written at-least-once, never held back
 *       by a transaction (a report waiting for a checkpoint would stall the router). After a
 *       restore the router rebuilds its view from its own state and from the reports written
 *       since; a worker silent past {@code gpufaas.router.report-timeout} gets its slots back, so a
 *       report lost in a failure costs time, not liveness.</li>
 *   <li><b>Fresh.</b> A new job reads only reports written since it was built: older ones describe
 *       workers that no longer exist.</li>
 * </ul>
 *
 * @param source where the router reads reports back
 * @param sink where the workers write them
 */
public record FeedbackChannel(Source<WorkerReport, ?, ?> source, Sink<WorkerReport> sink) {

    public FeedbackChannel {
        Objects.requireNonNull(source, "feedback source");
        Objects.requireNonNull(sink, "feedback sink");
    }

    /**
     * The loop through the worker-status topic {@code topic}: read uncommitted by consumer group
     * {@code groupId}, written at-least-once with {@code linger.ms} 0, each report fitted to
     * {@code maxRecordBytes}. {@code clientProperties} go to both clients (SASL, SSL, ...).
     */
    public static FeedbackChannel kafka(String bootstrapServers, String topic, String groupId,
            Properties clientProperties, int maxRecordBytes) {
        Properties in = new Properties();
        in.putAll(clientProperties);
        in.setProperty("isolation.level", "read_uncommitted");
        // A timestamp, not "latest": a reader that starts after the first reports would skip them.
        Source<WorkerReport, ?, ?> source = KafkaSources.of(bootstrapServers, topic, groupId,
                OffsetsInitializer.timestamp(System.currentTimeMillis()), new WorkerReportDeserializer(), in);
        Properties out = new Properties();
        out.putAll(clientProperties);
        out.putIfAbsent("linger.ms", "0");
        Sink<WorkerReport> sink = KafkaSink.<WorkerReport>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(out)
                .setRecordSerializer(new WorkerReportSerializer(topic, maxRecordBytes))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
        return new FeedbackChannel(source, sink);
    }

    /**
     * The router's end: reports read back, with {@code removals} (functions removed on the
     * control topic), keyed by function.
     */
    public KeyedStream<RouterSignal, String> open(StreamExecutionEnvironment env, DataStream<String> removals) {
        DataStream<RouterSignal> reports = env.fromSource(source, WatermarkStrategy.noWatermarks(), "worker-status")
                .uid("worker-status-source")
                .setParallelism(1)
                .map(RouterSignal::of).name("reports").uid("reports-signal")
                .setParallelism(1);
        return reports.union(removals.map(RouterSignal::removed).name("removals").uid("removals-signal"))
                .keyBy(RouterSignal::function);
    }

    /**
     * The workers' end: the report of each batch (an output carries one, or none), at most one per
     * model per time slice ({@link SlicedReports}), written back.
     */
    public void close(DataStream<WorkerOutput> done, int parallelism) {
        done.transform("reports-of", TypeInformation.of(WorkerReport.class), new SlicedReports())
                .uid("reports-of").setParallelism(parallelism)
                .sinkTo(sink).name("worker-status").uid("worker-status-sink");
    }
}
