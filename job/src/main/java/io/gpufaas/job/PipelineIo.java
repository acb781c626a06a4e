package io.gpufaas.job;

import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.RawRecord;
import io.gpufaas.job.feedback.FeedbackChannel;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;

/**
 * Where the pipeline reads and writes: Kafka's topics in the job ({@link #kafka}), anything else
 * in a test.
 *
 * @param invocations invocation records
 * @param control deploy and remove commands (a compacted topic, read from its start)
 * @param results the results of the invocations the workers ran
 * @param routerResults the results of those the router ended itself (shed, expired while waiting,
 *     unplaceable, removed): a writer of their own, so that the workers' results are written in
 *     the workers' own tasks (chained, no network hop) rather than through a union
 * @param deadLetters records that could not become invocations, with a reason
 * @param feedback the workers' reports, read back by the router
 */
public record PipelineIo(Source<RawRecord, ?, ?> invocations, Source<RawRecord, ?, ?> control,
        Sink<InvocationResult> results, Sink<InvocationResult> routerResults, Sink<DeadLetter> deadLetters,
        FeedbackChannel feedback) {

    public PipelineIo {
        Objects.requireNonNull(invocations, "invocations source");
        Objects.requireNonNull(control, "control source");
        Objects.requireNonNull(results, "results sink");
        Objects.requireNonNull(routerResults, "router results sink");
        Objects.requireNonNull(deadLetters, "dead-letter sink");
        Objects.requireNonNull(feedback, "feedback channel");
    }

    /** The job's topics, each output fitted to what {@code limits} says its topic takes. */
    public static PipelineIo kafka(Configuration conf, OutputLimits limits) {
        return new PipelineIo(KafkaIo.invocationSource(conf), KafkaIo.controlSource(conf),
                KafkaIo.resultSink(conf, limits, "results"), KafkaIo.resultSink(conf, limits, "router-results"),
                KafkaIo.deadLetterSink(conf, limits),
                FeedbackChannel.kafka(conf.get(GpuFaasOptions.BOOTSTRAP_SERVERS),
                        conf.get(GpuFaasOptions.STATUS_TOPIC), conf.get(GpuFaasOptions.GROUP_ID) + "-status",
                        JobConfig.kafkaProperties(conf), limits.status()));
    }
}
