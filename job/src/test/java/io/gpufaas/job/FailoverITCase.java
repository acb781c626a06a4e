package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.job.local.SampleInvocations.Sample;
import io.gpufaas.job.local.SampleInvocations;
import io.gpufaas.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A task manager dies mid-stream: with checkpoints and the transactional sinks, every invocation
 * still ends in exactly one committed result or dead letter, none lost, none duplicated; and the
 * restored workers reload the models they held before taking traffic. Some inputs are large
 * enough (20 KB, over the default payload bypass threshold) to go around the router through the
 * payload join, so both paths are in flight when the task manager dies.
 */
class FailoverITCase {

    static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final JobTestCluster CLUSTER = JobTestCluster.reportingTo(METRICS, 2, 1);

    private static final Duration TIMEOUT = Duration.ofSeconds(150);

    @Test
    void killingATaskManagerLosesAndDuplicatesNothing(@InjectMiniCluster MiniCluster cluster) throws Exception {
        EmbeddedKafka kafka = CLUSTER.kafka();
        JobTopics topics = JobTopics.create(kafka, "fo", 2);
        List<Sample> valid = new ArrayList<>(SampleInvocations.valid("a", 40));
        valid.addAll(large("a", 20));
        List<Sample> bad = new ArrayList<>(SampleInvocations.bad("a", 70_000));
        send(kafka, topics, valid);
        send(kafka, topics, bad);

        Configuration conf = topics.config(
                "--gpufaas.kafka.delivery-guarantee", "exactly-once",
                "--gpufaas.kafka.transactional-id-prefix", "failover-it",
                "--gpufaas.decode.max-record-size", "64kb");
        Configuration envConf = new Configuration();
        envConf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        envConf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        envConf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 50);
        envConf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(envConf);
        env.setParallelism(2);
        JobClient job = GpuFaasJob.start(env, conf);
        try {
            // Some results are committed (a checkpoint completed) before the failure.
            assertThat(kafka.readUntil(topics.results(), r -> r.size() >= 10, TIMEOUT)).hasSizeGreaterThanOrEqualTo(10);
            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();

            List<Sample> more = new ArrayList<>(SampleInvocations.valid("b", 40));
            List<Sample> moreBad = SampleInvocations.bad("b", 70_000);
            // Past their deadline on arrival: the router ends these itself (EXPIRED), through its own
            // transactional result writer.
            List<Sample> late = expired("b", 10);
            more.addAll(large("b", 20));
            // A producer's retry of a large one: it runs once, and the retry is a DUPLICATE dead
            // letter, written whole by the payload join.
            Sample retried = more.get(more.size() - 1);
            send(kafka, topics, more);
            send(kafka, topics, List.of(retried));
            send(kafka, topics, moreBad);
            send(kafka, topics, late);
            valid.addAll(more);
            valid.addAll(late);
            bad.addAll(moreBad);
            bad.add(retried);

            int expectedResults = valid.size();
            int expectedLetters = bad.size();
            List<ConsumerRecord<byte[], byte[]>> results =
                    kafka.readUntil(topics.results(), r -> r.size() >= expectedResults, TIMEOUT);
            List<ConsumerRecord<byte[], byte[]>> letters =
                    kafka.readUntil(topics.deadLetters(), r -> r.size() >= expectedLetters, TIMEOUT);

            Map<String, Integer> resultIds = new HashMap<>();
            results.forEach(r -> resultIds.merge(EventJson.decodeResult(r.value()).id(), 1, Integer::sum));
            assertThat(resultIds.keySet()).containsExactlyInAnyOrderElementsOf(valid.stream().map(Sample::key).toList());
            assertThat(resultIds.values()).as("results per invocation").containsOnly(1);
            assertThat(results.stream().map(r -> EventJson.decodeResult(r.value()))
                    .filter(r -> r.id().contains("-late-")).map(r -> r.status().name()).distinct().toList())
                    .as("what the router ended itself").containsExactly("EXPIRED");
            assertThat(results.stream().map(r -> EventJson.decodeResult(r.value())).filter(r -> r.id().contains("-large-")))
                    .as("large inputs came back whole from the workers")
                    .hasSize(40)
                    .allSatisfy(r -> assertThat(r.outputJson()).contains(LARGE_TEXT_TAIL + r.id()));

            Map<String, Integer> letterKeys = new HashMap<>();
            letters.forEach(r -> letterKeys.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum));
            assertThat(letterKeys.keySet()).containsExactlyInAnyOrderElementsOf(bad.stream().map(Sample::key).toList());
            assertThat(letters.stream().map(r -> EventJson.decodeDeadLetter(r.value()))
                    .filter(d -> d.invocationId().equals(retried.key())))
                    .singleElement().satisfies(d -> {
                        assertThat(d.reason().name()).isEqualTo("DUPLICATE");
                        assertThat(new String(d.record().value(), StandardCharsets.UTF_8))
                                .as("with its payload").contains(LARGE_TEXT_TAIL + retried.key());
                    });
            assertThat(letterKeys.values()).as("dead letters per record").containsOnly(1);

            // The restored workers reloaded the models they held (here: echo) before taking traffic.
            assertThat(OperatorMetrics.maxGauge(METRICS, job.getJobID(), "worker", "warmRestoredModels")).isGreaterThanOrEqualTo(1);

            // The large ones went around the router (counted in every attempt, so at least once each).
            assertThat(OperatorMetrics.counters(METRICS, job.getJobID(), "payload-join"))
                    .hasEntrySatisfying("payloadsJoined", n -> assertThat(n).isGreaterThanOrEqualTo(40))
                    .hasEntrySatisfying("payloadsDropped", n -> assertThat(n).isGreaterThanOrEqualTo(1));

            // Nothing more is committed later either.
            assertThat(kafka.readAll(topics.results())).hasSize(expectedResults);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
    }

    private static final String LARGE_TEXT_TAIL = "large input of ";

    /** Echo invocations of 20 KB of text, which the default threshold sends around the router. */
    private static List<Sample> large(String prefix, int count) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = String.format("%s-large-%02d", prefix, i);
            Invocation inv = new Invocation(id, "echo", Payload.text("x".repeat(20_000) + LARGE_TEXT_TAIL + id),
                    Invocation.NO_DEADLINE, Map.of(), null);
            samples.add(new Sample(id, EventJson.encodeInvocation(inv), null));
        }
        return samples;
    }

    private static List<Sample> expired(String prefix, int count) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = String.format("%s-late-%02d", prefix, i);
            Invocation inv = new Invocation(id, "echo", Payload.text("too late"), 1, Map.of(), null);
            samples.add(new Sample(id, EventJson.encodeInvocation(inv), null));
        }
        return samples;
    }

    private static void send(EmbeddedKafka kafka, JobTopics topics, List<Sample> samples) {
        for (Sample s : samples) {
            kafka.send(topics.invocations(), s.key().getBytes(StandardCharsets.UTF_8), s.value());
        }
    }
}
