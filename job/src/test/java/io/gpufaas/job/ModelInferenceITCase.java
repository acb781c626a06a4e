package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.testkit.EmbeddedKafka;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real TorchScript models from a repository, run by the job's workers on the CPU device. */
class ModelInferenceITCase {

    static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final JobTestCluster CLUSTER = JobTestCluster.reportingTo(METRICS, 1, 1);

    /** The tiny TorchScript models committed with udf-gpu's tests. */
    static final Path REPOSITORY = Path.of("..", "udf-gpu", "src", "test", "resources", "repo").toAbsolutePath();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void modelsRunOnTheWorkersDeviceWithAMissThenHits() throws Exception {
        EmbeddedKafka kafka = CLUSTER.kafka();
        JobTopics topics = JobTopics.create(kafka, "m", 1);

        ByteBuffer tensor = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(-1f).putFloat(2f).putFloat(0.25f);
        Invocation firstMlp = new Invocation("mlp-0", "tiny-mlp", Payload.tensor(new long[] {1, 4}, tensor.array()),
                Invocation.NO_DEADLINE, Map.of(), null);
        send(topics, firstMlp);
        send(topics, new Invocation("cnn-0", "tiny-cnn", Payload.image(png(20)), Invocation.NO_DEADLINE, Map.of(), null));

        Configuration conf = topics.config(
                "--gpufaas.functions.repository", REPOSITORY.toString(),
                "--gpufaas.device.kind", "CPU",
                "--gpufaas.worker.parallelism", "1");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        JobClient job = GpuFaasJob.start(env, conf);
        try {
            // Wave 1 loads both models; wave 2 finds them resident.
            assertThat(kafka.readUntil(topics.results(), r -> r.size() >= 2, Duration.ofSeconds(90))).hasSize(2);
            for (int i = 1; i < 5; i++) {
                send(topics, new Invocation("mlp-" + i, "tiny-mlp", firstMlp.input(), Invocation.NO_DEADLINE, Map.of(), null));
            }
            for (int i = 1; i < 3; i++) {
                send(topics, new Invocation("cnn-" + i, "tiny-cnn", Payload.image(png(20 + i)), Invocation.NO_DEADLINE, Map.of(), null));
            }
            // A PNG signature with a truncated header: a dead letter, refused before any worker.
            byte[] corrupt = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
            send(topics, new Invocation("cnn-corrupt", "tiny-cnn", Payload.image(corrupt), Invocation.NO_DEADLINE, Map.of(), null));
            // The wrong shape for tiny-mlp's declared [-1, 4]: rejected before any worker sees it.
            kafka.send(topics.invocations(), "mlp-shape".getBytes(StandardCharsets.UTF_8), ("{\"v\":1,\"id\":\"mlp-shape\",\"function\":\"tiny-mlp\","
                    + "\"input\":{\"tensor\":{\"shape\":[1,3],\"data\":\"AAAAAAAAAAAAAAAA\"}}}").getBytes(StandardCharsets.UTF_8));

            Map<String, InvocationResult> results = kafka.readUntil(topics.results(), r -> r.size() >= 8, Duration.ofSeconds(90))
                    .stream().map(r -> EventJson.decodeResult(r.value()))
                    .collect(Collectors.toMap(InvocationResult::id, r -> r));
            List<DeadLetter> letters = kafka.readUntil(topics.deadLetters(), r -> r.size() >= 2, Duration.ofSeconds(30))
                    .stream().map(r -> EventJson.decodeDeadLetter(r.value())).toList();

            assertThat(results).hasSize(8);
            for (int i = 0; i < 5; i++) {
                InvocationResult r = results.get("mlp-" + i);
                assertThat(r.status()).isEqualTo(ResultStatus.OK);
                assertThat(r.placement().device()).isEqualTo("cpu:0");
                assertThat(r.placement().cacheHit()).as("cache hit of mlp-%d", i).isEqualTo(i > 0);
                assertThat(JSON.readTree(r.outputJson()).path("predictions").get(0).path("topK").get(0).path("label").asText())
                        .isEqualTo("cat");
            }
            assertThat(results.get("cnn-0").placement().cacheHit()).isFalse();
            assertThat(results.get("cnn-2").placement().cacheHit()).isTrue();
            assertThat(JSON.readTree(results.get("cnn-1").outputJson()).path("predictions").get(0).path("topK")).hasSize(2);
            assertThat(results).doesNotContainKey("cnn-corrupt");

            // The worker's counters saw the same: two loads, the rest served from the cache.
            Map<String, Long> counters = OperatorMetrics.counters(METRICS, job.getJobID(), "worker");
            assertThat(counters).containsEntry("cacheMisses", 2L)
                    .containsEntry("cacheHits", 6L)
                    .containsEntry("modelLoads", 2L)
                    .containsEntry("cacheEvictions", 0L)
                    .containsEntry("invocationsCompleted", 8L)
                    .containsEntry("invocationsFailed", 0L);
            assertThat(counters.get("bytesLoaded")).isEqualTo(268L + 788L);

            assertThat(letters).extracting(DeadLetter::invocationId).containsExactlyInAnyOrder("mlp-shape", "cnn-corrupt");
            assertThat(letters).allSatisfy(d -> assertThat(d.reason()).isEqualTo(ErrorCode.INVALID_INPUT));
            assertThat(letters).filteredOn(d -> d.invocationId().equals("mlp-shape"))
                    .singleElement().satisfies(d -> assertThat(d.message()).contains("expects shape [-1, 4]"));
        } finally {
            job.cancel().get();
        }
    }


    private static void send(JobTopics topics, Invocation inv) {
        topics.kafka().send(topics.invocations(), inv.id().getBytes(StandardCharsets.UTF_8), EventJson.encodeInvocation(inv));
    }

    private static byte[] png(int size) throws Exception {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        img.setRGB(size / 2, size / 2, 0xFF8800);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
