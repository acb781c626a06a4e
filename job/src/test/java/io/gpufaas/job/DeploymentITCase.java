package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.testkit.EmbeddedKafka;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Functions deployed and removed through the control topic while the job runs; bad commands become dead letters. */
class DeploymentITCase {

    static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final JobTestCluster CLUSTER = JobTestCluster.reportingTo(METRICS, 1, 1);

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void deployAndRemoveWhileRunning(@TempDir Path repository) throws Exception {
        copy(ModelInferenceITCase.REPOSITORY.resolve("tiny-mlp"), repository.resolve("tiny-mlp"));
        EmbeddedKafka kafka = CLUSTER.kafka();
        JobClient job = start(repository, "d");
        try {
            // Not deployed yet.
            invoke(kafka, "before", "late-fn");
            await().atMost(TIMEOUT).until(() -> deadLetters(kafka).stream().anyMatch(d -> d.invocationId().equals("before")));

            // Bad commands: each a dead letter, and the job keeps going.
            control(kafka, "x", "{not json");
            control(kafka, "x", "{\"v\":1,\"action\":\"UPGRADE\",\"function\":\"late-fn\"}");
            control(kafka, "x", "{\"v\":1,\"action\":\"DEPLOY\",\"function\":\"../../etc\"}");
            control(kafka, "ghost", "{\"v\":1,\"action\":\"DEPLOY\",\"function\":\"ghost\"}");
            // A built-in cannot be removed; deploying it again is accepted (and changes nothing).
            control(kafka, "echo", "{\"v\":1,\"action\":\"REMOVE\",\"function\":\"echo\"}");
            control(kafka, "echo", "{\"v\":1,\"action\":\"DEPLOY\",\"function\":\"echo\"}");

            copy(ModelInferenceITCase.REPOSITORY.resolve("tiny-cnn"), repository.resolve("late-fn"));
            control(kafka, "late-fn", "{\"v\":1,\"action\":\"DEPLOY\",\"function\":\"late-fn\"}");
            await().atMost(TIMEOUT).until(() -> counter(job.getJobID(), "functionsDeployed") == 2);
            invoke(kafka, "after-deploy", "late-fn");
            InvocationResult deployed = awaitResult(kafka, "after-deploy");
            assertThat(deployed.status()).isEqualTo(ResultStatus.OK);
            assertThat(deployed.outputJson()).contains("predictions");

            kafka.send("d-ctl", "late-fn".getBytes(StandardCharsets.UTF_8), null); // tombstone = REMOVE
            await().atMost(TIMEOUT).until(() -> counter(job.getJobID(), "functionsRemoved") == 1);
            invoke(kafka, "after-remove", "late-fn");
            await().atMost(TIMEOUT).until(() -> deadLetters(kafka).stream().anyMatch(d -> d.invocationId().equals("after-remove")));

            List<DeadLetter> letters = deadLetters(kafka);
            assertThat(letters).filteredOn(d -> d.invocationId().startsWith("before") || d.invocationId().startsWith("after"))
                    .extracting(DeadLetter::reason).containsOnly(ErrorCode.UNKNOWN_FUNCTION);
            assertThat(letters).filteredOn(d -> d.record().position().topic().equals("d-ctl"))
                    .extracting(DeadLetter::reason)
                    .containsExactlyInAnyOrder(ErrorCode.MALFORMED, ErrorCode.INVALID_FIELD, ErrorCode.INVALID_FIELD,
                            ErrorCode.UNKNOWN_FUNCTION, ErrorCode.INVALID_FIELD);
            assertThat(letters).filteredOn(d -> d.message().contains("built-in")).singleElement()
                    .satisfies(d -> assertThat(d.message()).contains("'echo' is a built-in function and cannot be removed"));
            // echo still runs.
            Invocation echo = new Invocation("echo-after", "echo", Payload.text("still here"), Invocation.NO_DEADLINE,
                    Map.of(), null);
            kafka.send("d-inv", "echo-after".getBytes(StandardCharsets.UTF_8), EventJson.encodeInvocation(echo));
            assertThat(awaitResult(kafka, "echo-after").status()).isEqualTo(ResultStatus.OK);
            // tiny-mlp, deployed from the start, is unaffected throughout.
            invoke(kafka, "steady", "tiny-mlp");
            assertThat(awaitResult(kafka, "steady").status()).isEqualTo(ResultStatus.OK);
        } finally {
            job.cancel().get();
        }
    }

    /**
     * A new model version rolls out and can be pinned back; the control plane checks its keys and
     * what it removes; a model larger than any worker ends at once without blocking others; a
     * broken directory fails only the DEPLOY that names it.
     */
    @Test
    void versionsRollOutAndNothingOneTenantDeploysStallsTheOthers(@TempDir Path repository) throws Exception {
        copy(ModelInferenceITCase.REPOSITORY.resolve("tiny-mlp"), repository.resolve("tiny-mlp"));
        copy(ModelInferenceITCase.REPOSITORY.resolve("tiny-mlp"), repository.resolve("huge-mlp"));
        Path hugeDescriptor = repository.resolve("huge-mlp").resolve("function.json");
        Files.writeString(hugeDescriptor, Files.readString(hugeDescriptor)
                .replace("\"memoryBytes\": 268", "\"memoryBytes\": 1099511627776"));
        EmbeddedKafka kafka = CLUSTER.kafka();
        JobClient job = start(repository, "v");
        try {
            invoke(kafka, "v-inv", "v1-a", "tiny-mlp");
            InvocationResult v1 = awaitResult(kafka, "v-res", "v1-a");
            assertThat(v1.outputJson()).contains("\"cat\"").doesNotContain("lion");
            assertThat(v1.placement().version()).isEqualTo(1);

            // A producer's retry of the same id runs once; the retry is a DUPLICATE dead letter.
            echo(kafka, "v-inv", "retried");
            echo(kafka, "v-inv", "retried");

            // One invocation of a model no worker can hold: an ERROR at once, and echoes behind it run.
            invoke(kafka, "v-inv", "huge", "huge-mlp");
            for (int i = 0; i < 20; i++) {
                echo(kafka, "v-inv", "after-huge-" + i);
            }
            InvocationResult huge = awaitResult(kafka, "v-res", "huge");
            assertThat(huge.errorCode()).isEqualTo("OUT_OF_DEVICE_MEMORY");
            assertThat(huge.errorMessage()).contains("1099511627776");
            assertThat(awaitResult(kafka, "v-res", "after-huge-19").status()).isEqualTo(ResultStatus.OK);

            // Version 2 with new labels, and a broken directory beside it.
            Files.createDirectories(repository.resolve("tiny-mlp").resolve("2"));
            Files.copy(repository.resolve("tiny-mlp").resolve("1").resolve("model.pt"),
                    repository.resolve("tiny-mlp").resolve("2").resolve("model.pt"));
            Path descriptor = repository.resolve("tiny-mlp").resolve("function.json");
            Files.writeString(descriptor, Files.readString(descriptor).replace("cat", "lion").replace("dog", "wolf")
                    .replace("bird", "eagle"));
            Files.createDirectories(repository.resolve("broken"));
            Files.writeString(repository.resolve("broken").resolve("function.json"), "{not json");
            control(kafka, "v-ctl", "tiny-mlp", "{\"v\":1,\"action\":\"DEPLOY\",\"function\":\"tiny-mlp\"}");
            await().atMost(TIMEOUT).until(() -> counter(job.getJobID(), "functionsDeployed") == 1);
            invoke(kafka, "v-inv", "v2-a", "tiny-mlp");
            InvocationResult v2 = awaitResult(kafka, "v-res", "v2-a");
            assertThat(v2.outputJson()).contains("\"lion\"").doesNotContain("\"cat\"");
            assertThat(v2.placement().version()).isEqualTo(2);
            assertThat(v2.placement().cacheHit()).isFalse();

            // Pinned back to version 1.
            control(kafka, "v-ctl", "tiny-mlp", "{\"v\":1,\"action\":\"DEPLOY\",\"function\":\"tiny-mlp\",\"version\":1}");
            await().atMost(TIMEOUT).until(() -> counter(job.getJobID(), "functionsDeployed") == 2);
            invoke(kafka, "v-inv", "back-a", "tiny-mlp");
            assertThat(awaitResult(kafka, "v-res", "back-a").placement().version()).isEqualTo(1);

            // The control plane: a key other than the function, an unknown removal, a broken function.
            control(kafka, "v-ctl", "tiny-cnn", "{\"v\":1,\"action\":\"REMOVE\",\"function\":\"tiny-mlp\"}");
            control(kafka, "v-ctl", "nobody", "{\"v\":1,\"action\":\"REMOVE\",\"function\":\"nobody\"}");
            control(kafka, "v-ctl", "broken", "{\"v\":1,\"action\":\"DEPLOY\",\"function\":\"broken\"}");
            await().atMost(TIMEOUT).until(() -> deadLetters(kafka, "v-dlq").size() >= 4);
            assertThat(kafka.readAll("v-res").stream().map(r -> EventJson.decodeResult(r.value()).id())
                    .filter("retried"::equals)).hasSize(1);
            assertThat(deadLetters(kafka, "v-dlq")).filteredOn(d -> d.reason() == ErrorCode.DUPLICATE).singleElement()
                    .satisfies(d -> assertThat(d.invocationId()).isEqualTo("retried"));
            assertThat(deadLetters(kafka, "v-dlq")).filteredOn(d -> d.reason() != ErrorCode.DUPLICATE)
                    .extracting(DeadLetter::reason, d -> d.message().split(":")[0])
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(ErrorCode.INVALID_FIELD,
                                    "the record key must be the function's name 'tiny-mlp' (the compacted topic keeps one command per key), was 'tiny-cnn'"),
                            org.assertj.core.groups.Tuple.tuple(ErrorCode.UNKNOWN_FUNCTION, "cannot remove 'nobody'"),
                            org.assertj.core.groups.Tuple.tuple(ErrorCode.UNKNOWN_FUNCTION, "cannot deploy 'broken'"));
            assertThat(deadLetters(kafka, "v-dlq")).filteredOn(d -> d.message().startsWith("cannot deploy 'broken'"))
                    .singleElement().satisfies(d -> assertThat(d.message()).contains("not valid JSON"));
            assertThat(counter(job.getJobID(), "functionsRemoved")).isZero();
            invoke(kafka, "v-inv", "still-there", "tiny-mlp");
            assertThat(awaitResult(kafka, "v-res", "still-there").status()).isEqualTo(ResultStatus.OK);
        } finally {
            job.cancel().get();
        }
    }

    private static void echo(EmbeddedKafka kafka, String topic, String id) {
        Invocation inv = new Invocation(id, "echo", Payload.text(id), Invocation.NO_DEADLINE, Map.of(), null);
        kafka.send(topic, id.getBytes(StandardCharsets.UTF_8), EventJson.encodeInvocation(inv));
    }

    /** A job on the CPU over {@code repository}, on new topics named {@code prefix-...}. */
    private static JobClient start(Path repository, String prefix) throws Exception {
        Configuration conf = JobTopics.create(CLUSTER.kafka(), prefix, 1).config(
                "--gpufaas.functions.repository", repository.toString(),
                "--gpufaas.device.kind", "CPU");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        return GpuFaasJob.start(env, conf);
    }

    /** A tensor input that fits the function: [1, 4] for the MLPs, a 16x16 RGB tensor for the CNNs. */
    private static void invoke(EmbeddedKafka kafka, String topic, String id, String function) {
        boolean mlp = function.endsWith("-mlp");
        long[] shape = mlp ? new long[] {1, 4} : new long[] {1, 3, 16, 16};
        byte[] data = mlp ? new byte[16] : ByteBuffer.allocate(3 * 16 * 16 * 4).order(ByteOrder.LITTLE_ENDIAN).array();
        Invocation inv = new Invocation(id, function, Payload.tensor(shape, data), Invocation.NO_DEADLINE, Map.of(), null);
        kafka.send(topic, id.getBytes(StandardCharsets.UTF_8), EventJson.encodeInvocation(inv));
    }

    private static void control(EmbeddedKafka kafka, String topic, String key, String value) {
        kafka.send(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    private static List<DeadLetter> deadLetters(EmbeddedKafka kafka, String topic) {
        return kafka.readAll(topic).stream().map(r -> EventJson.decodeDeadLetter(r.value())).toList();
    }

    private static InvocationResult awaitResult(EmbeddedKafka kafka, String topic, String id) {
        return kafka.readUntil(topic, rs -> rs.stream().anyMatch(r -> EventJson.decodeResult(r.value()).id().equals(id)), TIMEOUT)
                .stream().map(r -> EventJson.decodeResult(r.value())).filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    private static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    /** The first test's topics ("d-..."). */
    private static void invoke(EmbeddedKafka kafka, String id, String function) {
        invoke(kafka, "d-inv", id, function);
    }

    private static void control(EmbeddedKafka kafka, String key, String value) {
        control(kafka, "d-ctl", key, value);
    }

    private static List<DeadLetter> deadLetters(EmbeddedKafka kafka) {
        return deadLetters(kafka, "d-dlq");
    }

    private static InvocationResult awaitResult(EmbeddedKafka kafka, String id) {
        return awaitResult(kafka, "d-res", id);
    }

    private static long counter(JobID job, String name) {
        return OperatorMetrics.counters(METRICS, job, "decode-validate").getOrDefault(name, 0L);
    }

}
