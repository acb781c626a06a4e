package io.gpufaas.udf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.udf.api.ExecutionOutcome;
import io.gpufaas.udf.api.LoadOutcome;
import io.gpufaas.udf.api.LoadedModel;
import io.gpufaas.udf.device.ComputeDevice;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real inference with DJL's libtorch on the CPU, on the committed TorchScript models. */
class TorchScriptFunctionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ComputeDevice CPU = ComputeDevice.cpu(1L << 30);

    private static FunctionRegistry registry;
    private static LoadedModel mlp;
    private static LoadedModel cnn;
    private static JsonNode reference;

    @BeforeAll
    static void load() throws Exception {
        registry = FunctionRegistry.withRepository(TestRepository.path());
        reference = JSON.readTree(Files.readString(TestRepository.path().resolve("reference.json")));
        mlp = loaded("tiny-mlp");
        cnn = loaded("tiny-cnn");
    }

    @AfterAll
    static void close() {
        mlp.close();
        cnn.close();
    }

    private static LoadedModel loaded(String name) {
        LoadOutcome outcome = registry.function(name).orElseThrow().load(CPU);
        assertThat(outcome).isInstanceOf(LoadOutcome.Loaded.class);
        return ((LoadOutcome.Loaded) outcome).model();
    }

    private static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static double[] softmax(JsonNode logits) {
        double[] p = new double[logits.size()];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits.get(i).asDouble());
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static JsonNode output(ExecutionOutcome outcome) throws Exception {
        assertThat(outcome).isInstanceOf(ExecutionOutcome.Success.class);
        return JSON.readTree(((ExecutionOutcome.Success) outcome).outputJson());
    }

    @Test
    void tensorInferenceMatchesPython() throws Exception {
        JsonNode out = output(mlp.run(Payload.tensor(new long[] {1, 4}, floats(0.5f, -1f, 2f, 0.25f))));

        double[] expected = softmax(reference.path("tiny-mlp").path("logits").get(0));
        JsonNode top = out.path("predictions").get(0).path("topK");
        assertThat(top).hasSize(3);
        // Sorted by score, labelled from the descriptor.
        assertThat(top.get(0).path("label").asText()).isEqualTo("cat");
        for (JsonNode entry : top) {
            assertThat(entry.path("score").asDouble())
                    .isCloseTo(expected[entry.path("index").asInt()], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void imageInputIsResizedNormalisedAndClassified() throws Exception {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, 40, 30);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);

        JsonNode out = output(cnn.run(Payload.image(png.toByteArray())));

        JsonNode top = out.path("predictions").get(0).path("topK");
        assertThat(top).hasSize(2);
        assertThat(top.get(0).path("label").asText()).startsWith("class_");
        assertThat(top.get(0).path("score").asDouble()).isGreaterThanOrEqualTo(top.get(1).path("score").asDouble());
    }

    @Test
    void constantImageTensorMatchesPython() throws Exception {
        float[] ones = new float[3 * 16 * 16];
        java.util.Arrays.fill(ones, 1f);
        JsonNode top = output(cnn.run(Payload.tensor(new long[] {1, 3, 16, 16}, floats(ones))))
                .path("predictions").get(0).path("topK");

        double[] expected = softmax(reference.path("tiny-cnn").path("logits").get(0));
        for (JsonNode entry : top) {
            assertThat(entry.path("score").asDouble())
                    .isCloseTo(expected[entry.path("index").asInt()], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void pixelBombsAtTheSizeLimitRunWithoutExhaustingTheHeap() throws Exception {
        // 8192x8192 is the largest image accepted: decoded whole, each would take 256 MiB of heap.
        byte[] bomb = PixelBombs.greyPng(8192, 8192);
        java.util.List<Payload> sixteen = java.util.Collections.nCopies(16, Payload.image(bomb));
        java.util.List<ExecutionOutcome> outcomes = cnn.runBatch(sixteen);
        assertThat(outcomes).hasSize(16).allSatisfy(o -> assertThat(o).isInstanceOf(ExecutionOutcome.Success.class));
    }

    @Test
    void corruptImageIsATypedFailureNotAnException() {
        byte[] pngHeaderOnly = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0};
        ExecutionOutcome outcome = cnn.run(Payload.image(pngHeaderOnly));
        assertThat(outcome).isInstanceOfSatisfying(ExecutionOutcome.Failure.class,
                f -> assertThat(f.code()).isEqualTo(ErrorCode.INVALID_INPUT));
    }

    @Test
    void textInputToAModelIsATypedFailure() {
        assertThat(mlp.run(Payload.text("hello"))).isInstanceOfSatisfying(ExecutionOutcome.Failure.class,
                f -> assertThat(f.code()).isEqualTo(ErrorCode.INVALID_INPUT));
    }

    @Test
    void aBatchRunsAsOneAndSplitsPerInput() throws Exception {
        Payload a = Payload.tensor(new long[] {1, 4}, floats(0.5f, -1f, 2f, 0.25f));
        Payload two = Payload.tensor(new long[] {2, 4}, floats(0.5f, -1f, 2f, 0.25f, 0, 0, 0, 0));
        List<ExecutionOutcome> outcomes = mlp.runBatch(List.of(a, Payload.text("bad"), two));

        assertThat(outcomes).hasSize(3);
        assertThat(output(outcomes.get(0)).path("predictions")).hasSize(1);
        assertThat(outcomes.get(1)).isInstanceOf(ExecutionOutcome.Failure.class);
        assertThat(output(outcomes.get(2)).path("predictions")).hasSize(2);
        assertThat(output(outcomes.get(0)).path("predictions").get(0))
                .isEqualTo(output(outcomes.get(2)).path("predictions").get(0));
    }

    @Test
    void oneLoadedModelServesConcurrentCallers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ExecutionOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                futures.add(pool.submit(() -> mlp.run(Payload.tensor(new long[] {1, 4}, floats(0.5f, -1f, 2f, 0.25f)))));
            }
            String first = ((ExecutionOutcome.Success) futures.get(0).get()).outputJson();
            for (Future<ExecutionOutcome> f : futures) {
                assertThat(((ExecutionOutcome.Success) f.get()).outputJson()).isEqualTo(first);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void footprintCountsParameterBytes() {
        // tiny-mlp: Linear(4,8) + Linear(8,3) = 32 + 8 + 24 + 3 = 67 float32 parameters.
        assertThat(mlp.footprint().parameterBytes()).isEqualTo(67 * 4);
        assertThat(mlp.footprint().measuredOnDevice()).isEmpty(); // CPU: no device-side measurement
        assertThat(mlp.device()).isEqualTo(CPU);
        assertThat(mlp.loadNanos()).isPositive();
    }

    @Test
    void aMissingModelFileIsATypedLoadFailure() throws Exception {
        java.nio.file.Path dir = Files.createTempDirectory("repo");
        java.nio.file.Path fn = Files.createDirectories(dir.resolve("broken/1"));
        Files.write(fn.resolve("model.pt"), new byte[] {1, 2, 3});
        Files.writeString(dir.resolve("broken/function.json"), "{\"input\":{\"kinds\":[\"TENSOR\"]}}");

        LoadOutcome outcome = FunctionRegistry.withRepository(dir).function("broken").orElseThrow().load(CPU);

        assertThat(outcome).isInstanceOfSatisfying(LoadOutcome.Failed.class,
                f -> assertThat(f.code()).isEqualTo(ErrorCode.MODEL_LOAD_FAILED));
    }

    /**
     * A small model file that inflates: tiny-mlp's archive plus a storage entry of 64 MiB of
     * deflated zeros (a 65 KB file). Its cost is what its tensors take uncompressed, not its size
     * on disk nor its declaration.
     */
    @Test
    void aModelIsAccountedByWhatItsTensorsTakeNotByItsFileOrDeclaration() throws Exception {
        java.nio.file.Path dir = Files.createTempDirectory("repo");
        java.nio.file.Path version = Files.createDirectories(dir.resolve("inflating/1"));
        long inflated = 64L << 20;
        try (var in = new java.util.zip.ZipFile(TestRepository.path().resolve("tiny-mlp/1/model.pt").toFile());
                var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(version.resolve("model.pt")))) {
            for (var entries = in.entries(); entries.hasMoreElements(); ) {
                var e = entries.nextElement();
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                in.getInputStream(e).transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new java.util.zip.ZipEntry("model/data/99"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < inflated / zeros.length; i++) {
                out.write(zeros);
            }
            out.closeEntry();
        }
        assertThat(Files.size(version.resolve("model.pt"))).isLessThan(1L << 20);
        Files.writeString(dir.resolve("inflating/function.json"),
                "{\"input\":{\"kinds\":[\"TENSOR\"]},\"memoryBytes\":268}");
        var function = FunctionRegistry.withRepository(dir).function("inflating").orElseThrow();

        // The router and the worker assume what the archive shows, not the declared 268 bytes.
        assertThat(function.estimatedFootprintBytes()).isGreaterThanOrEqualTo(inflated);
        // A device it cannot fit refuses it before inflating anything, and says what it measured.
        LoadOutcome refused = function.load(ComputeDevice.cpu(16L << 20));
        assertThat(refused).isInstanceOfSatisfying(LoadOutcome.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.OUT_OF_DEVICE_MEMORY);
            assertThat(f.measuredBytes()).isGreaterThanOrEqualTo(inflated);
            assertThat(f.message()).contains("uncompressed");
        });
        // Where it fits, its footprint is the measured one.
        LoadOutcome loaded = function.load(CPU);
        assertThat(loaded).isInstanceOf(LoadOutcome.Loaded.class);
        try (LoadedModel m = ((LoadOutcome.Loaded) loaded).model()) {
            assertThat(m.footprint().bytes()).isGreaterThanOrEqualTo(inflated);
            assertThat(m.footprint().parameterBytes()).isEqualTo(67 * 4);
        }
    }
}
