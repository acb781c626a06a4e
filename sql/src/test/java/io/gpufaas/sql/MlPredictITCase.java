package io.gpufaas.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.client.GpuFaasClient;
import io.gpufaas.client.Input;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.testkit.EmbeddedKafka;
import io.gpufaas.testkit.KafkaBrokerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flink SQL's ML_PREDICT with the gpufaas provider, as a SQL user writes it, against a real
 * broker and a running gpufaas job serving the tiny TorchScript models: N rows in, N predictions
 * out, equal to direct invocations; a bad input row gets its status; a too-short timeout row ends
 * EXPIRED.
 */
class MlPredictITCase {

    @RegisterExtension
    @Order(1)
    static final KafkaBrokerExtension BROKER = new KafkaBrokerExtension();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static JobClient job;

    @BeforeAll
    static void startGpuFaas() throws Exception {
        EmbeddedKafka kafka = BROKER.kafka();
        kafka.createTopics(2, "sql-inv", "sql-res", "sql-dlq", "sql-st", "sql-ctl");
        job = TestModelsJob.start(kafka.bootstrapServers(),
                "--gpufaas.kafka.topic.invocations", "sql-inv",
                "--gpufaas.kafka.topic.results", "sql-res",
                "--gpufaas.kafka.topic.dead-letters", "sql-dlq",
                "--gpufaas.kafka.topic.worker-status", "sql-st",
                "--gpufaas.kafka.topic.control", "sql-ctl");
    }

    @AfterAll
    static void stopGpuFaas() throws Exception {
        if (job != null) {
            job.cancel().get();
        }
    }

    private static String model(String name, String input, String output, String function, String extra) {
        return "CREATE TEMPORARY MODEL " + name + " INPUT (" + input + ") OUTPUT (" + output + ") WITH ("
                + "'provider' = 'gpufaas', 'function' = '" + function + "', "
                + "'bootstrap-servers' = '" + BROKER.kafka().bootstrapServers() + "', "
                + "'topic.invocations' = 'sql-inv', 'topic.results' = 'sql-res', 'topic.dead-letters' = 'sql-dlq'"
                + extra + ")";
    }

    private static List<Row> collect(TableResult result) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = result.collect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    @Test
    void everyRowGetsThePredictionADirectInvocationGets() throws Exception {
        TableEnvironment sql = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        sql.executeSql("CREATE TEMPORARY VIEW features (id, x) AS VALUES "
                + "(1, ARRAY[CAST(1 AS FLOAT), 2, 3, 4]), (2, ARRAY[CAST(0 AS FLOAT), 0, 0, 0]), "
                + "(3, ARRAY[CAST(-1 AS FLOAT), 2, -3, 4]), (4, ARRAY[CAST(1 AS FLOAT), 2, 3])");
        sql.executeSql(model("mlp", "x ARRAY<FLOAT>", "status STRING, label STRING, score DOUBLE, error STRING",
                "tiny-mlp", ", 'tensor.shape' = '1,4'"));

        List<Row> rows = collect(sql.executeSql(
                "SELECT id, status, label, score, error FROM ML_PREDICT(TABLE features, MODEL mlp, DESCRIPTOR(x))"));

        Map<Integer, Row> byId = new HashMap<>();
        rows.forEach(r -> byId.put((Integer) r.getField(0), r));
        assertThat(byId).hasSize(4);
        try (GpuFaasClient client = GpuFaasClient.builder().bootstrapServers(BROKER.kafka().bootstrapServers())
                .topics("sql-inv", "sql-res", "sql-dlq").build()) {
            float[][] inputs = {{1, 2, 3, 4}, {0, 0, 0, 0}, {-1, 2, -3, 4}};
            for (int i = 0; i < inputs.length; i++) {
                InvocationResult direct = client.invoke("tiny-mlp", Input.tensor(new long[] {1, 4}, inputs[i]))
                        .get();
                Row row = byId.get(i + 1);
                assertThat(row.getField(1)).isEqualTo("OK");
                assertThat(direct.outputJson()).contains("\"label\":\"" + row.getField(2) + "\"");
                assertThat((Double) row.getField(3)).isBetween(0.0, 1.0);
            }
        }
        // Three values where the model takes four: refused by the job, a row with its reason.
        assertThat(byId.get(4).getField(1)).isEqualTo("REJECTED");
        assertThat((String) byId.get(4).getField(4)).startsWith("INVALID_INPUT");
    }

    @Test
    void textRowsAndATimeoutRow() throws Exception {
        TableEnvironment sql = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        sql.executeSql("CREATE TEMPORARY VIEW words (id, w) AS VALUES (1, 'alpha'), (2, 'beta'), (3, 'gamma')");
        sql.executeSql(model("echo_model", "w STRING", "status STRING, text STRING", "echo", ""));
        sql.executeSql(model("hasty", "w STRING", "status STRING, error STRING", "echo", ", 'timeout' = '1 ms'"));

        List<Row> echoed = collect(sql.executeSql(
                "SELECT id, status, text FROM ML_PREDICT(TABLE words, MODEL echo_model, DESCRIPTOR(w))"));
        assertThat(echoed).extracting(r -> r.getField(1) + " " + r.getField(2))
                .containsExactlyInAnyOrder("OK alpha", "OK beta", "OK gamma");

        // A 1 ms timeout is a deadline the job cannot meet: EXPIRED, not a hung query.
        List<Row> hasty = collect(sql.executeSql(
                "SELECT id, status, error FROM ML_PREDICT(TABLE words, MODEL hasty, DESCRIPTOR(w))"));
        assertThat(hasty).hasSize(3).allSatisfy(r -> assertThat(r.getField(1)).isIn("EXPIRED", "ERROR"));
    }

    @Test
    void imagesRowsAndABadImageRow() throws Exception {
        TableEnvironment sql = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        sql.createTemporaryView("pictures", sql.fromValues(
                org.apache.flink.table.api.DataTypes.ROW(
                        org.apache.flink.table.api.DataTypes.FIELD("id", org.apache.flink.table.api.DataTypes.INT()),
                        org.apache.flink.table.api.DataTypes.FIELD("img", org.apache.flink.table.api.DataTypes.BYTES())),
                Row.of(1, png()), Row.of(2, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3})));
        sql.executeSql(model("cnn", "img BYTES", "status STRING, label STRING, topk STRING, error STRING", "tiny-cnn", ""));

        List<Row> rows = collect(sql.executeSql(
                "SELECT id, status, label, topk, error FROM ML_PREDICT(TABLE pictures, MODEL cnn, DESCRIPTOR(img))"));

        Map<Integer, Row> byId = new HashMap<>();
        rows.forEach(r -> byId.put((Integer) r.getField(0), r));
        assertThat(byId.get(1).getField(1)).isEqualTo("OK");
        assertThat((String) byId.get(1).getField(2)).startsWith("class_");
        assertThat((String) byId.get(1).getField(3)).startsWith("[{\"index\":");
        // A corrupt image: refused at validation, a row with its status and reason.
        assertThat(byId.get(2).getField(1)).isEqualTo("REJECTED");
        assertThat((String) byId.get(2).getField(4)).startsWith("INVALID_INPUT");
    }

    @Test
    void theClientAloneAgainstTheJob() throws Exception {
        try (GpuFaasClient client = GpuFaasClient.builder().bootstrapServers(BROKER.kafka().bootstrapServers())
                .topics("sql-inv", "sql-res", "sql-dlq").timeout(Duration.ofSeconds(30)).build()) {
            InvocationResult echo = client.invoke("echo", Input.text("hi")).get();
            assertThat(echo.outputJson()).isEqualTo("{\"text\":\"hi\"}");
            assertThat(echo.placement().device()).isEqualTo("cpu:0");
            java.util.concurrent.CompletableFuture<InvocationResult> unknown = client.invoke("nope", Input.text("x"));
            org.assertj.core.api.Assertions.assertThatThrownBy(unknown::get)
                    .hasCauseInstanceOf(io.gpufaas.client.RejectedException.class)
                    .hasMessageContaining("UNKNOWN_FUNCTION");
        }
    }

    private static byte[] png() throws java.io.IOException {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(20, 20, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
