package io.gpufaas.sql;

import io.gpufaas.client.GpuFaasClient;
import io.gpufaas.client.Input;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * {@code scripts/sql-demo.sh}: a small Flink SQL job against the local gpufaas job: a table of
 * images, {@code ML_PREDICT} with the gpufaas provider, the rows printed. With
 * {@code --measure N} it instead times N rows through ML_PREDICT against N invocations through the
 * client alone, same function, side by side.
 *
 * <pre>SqlDemo [--bootstrap 127.0.0.1:9092] [--function tiny-cnn] [--measure N] [--flink-defaults]</pre>
 *
 * <p>{@code --flink-defaults} leaves Flink's async ML_PREDICT settings at their defaults.
 */
public final class SqlDemo {

    private SqlDemo() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = "127.0.0.1:9092";
        String function = "tiny-cnn";
        int measure = 0;
        boolean flinkDefaults = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[++i];
                case "--function" -> function = args[++i];
                case "--measure" -> measure = Integer.parseInt(args[++i]);
                case "--flink-defaults" -> flinkDefaults = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: sql-demo.sh [--bootstrap HOST:PORT] [--function NAME] [--measure N] [--flink-defaults]");
            }
        }
        String ddl = "CREATE TEMPORARY MODEL image_model\n"
                + "  INPUT (image BYTES)\n"
                + "  OUTPUT (status STRING, label STRING, score DOUBLE, error STRING)\n"
                + "  WITH ('provider' = 'gpufaas', 'function' = '" + function + "',\n"
                + "        'bootstrap-servers' = '" + bootstrap + "', 'timeout' = '10 s', 'max-in-flight' = '256')";
        String query = "SELECT name, status, label, score, error\n"
                + "  FROM ML_PREDICT(TABLE images, MODEL image_model, DESCRIPTOR(image))";
        TableEnvironment sql = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        // One local slot's worth: the demo's jobs share this machine with the gpufaas job.
        sql.getConfig().set(CoreOptions.DEFAULT_PARALLELISM, 1);
        if (!flinkDefaults) {
            // Flink's own async ML_PREDICT settings (its defaults: 10 rows in flight, in order): as
            // many rows in flight as the model allows, in any order. A provider cannot set them.
            sql.getConfig().set("table.exec.async-ml-predict.max-concurrent-operations", "256");
            sql.getConfig().set("table.exec.async-ml-predict.output-mode", "ALLOW_UNORDERED");
        }
        sql.createTemporaryView("images", sql.fromValues(
                DataTypes.ROW(DataTypes.FIELD("name", DataTypes.STRING()), DataTypes.FIELD("image", DataTypes.BYTES())),
                Row.of("red", png(Color.RED)), Row.of("green", png(Color.GREEN)), Row.of("blue", png(Color.BLUE)),
                Row.of("gradient", gradient()), Row.of("not-an-image", new byte[] {1, 2, 3})));
        sql.executeSql(ddl);
        if (measure > 0) {
            // On its own: one local cluster runs one demo job at a time.
            measure(sql, bootstrap, function, measure);
            return;
        }
        System.out.println(ddl + ";\n\n" + query + ";\n");
        sql.executeSql(query).print();
    }

    /** N rows through ML_PREDICT against N invocations through the client alone. */
    private static void measure(TableEnvironment sql, String bootstrap, String function, int n) throws Exception {
        byte[] image = gradient();
        // A generated sequence joined to one image literal: a VALUES of N rows plans N inputs.
        sql.executeSql("CREATE TEMPORARY TABLE seq (n BIGINT) WITH ('connector' = 'datagen', "
                + "'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '" + n + "')");
        sql.executeSql("CREATE TEMPORARY VIEW many AS SELECT CAST(n AS STRING) AS name, X'"
                + java.util.HexFormat.of().formatHex(image) + "' AS image FROM seq");
        long t0 = System.nanoTime();
        long firstRow = 0;
        int ok = 0;
        TableResult result = sql.executeSql("SELECT status FROM ML_PREDICT(TABLE many, MODEL image_model, DESCRIPTOR(image))");
        try (CloseableIterator<Row> it = result.collect()) {
            while (it.hasNext()) {
                ok += "OK".equals(it.next().getField(0)) ? 1 : 0;
                firstRow = firstRow == 0 ? System.nanoTime() : firstRow;
            }
        }
        Run viaSql = new Run(n, ok, t0, firstRow, System.nanoTime());

        long t1 = System.nanoTime();
        AtomicLong firstResult = new AtomicLong();
        int clientOk = 0;
        try (GpuFaasClient client = GpuFaasClient.builder().bootstrapServers(bootstrap).maxInFlight(256).build()) {
            List<CompletableFuture<io.gpufaas.core.contract.InvocationResult>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(client.invoke(function, Input.image(image))
                        .whenComplete((r, e) -> firstResult.compareAndSet(0, System.nanoTime())));
            }
            for (var f : futures) {
                clientOk += f.get().status() == io.gpufaas.core.contract.ResultStatus.OK ? 1 : 0;
            }
        }
        Run viaClient = new Run(n, clientOk, t1, firstResult.get(), System.nanoTime());
        System.out.printf(Locale.ROOT, "%n| path | rows | OK | seconds | first result after (s) | per second | per second after the first |%n"
                        + "| --- | ---: | ---: | ---: | ---: | ---: | ---: |%n%s%n%s%n%n"
                        + "ML_PREDICT / client: %.2f with start-up (the SQL job's planning and submission, the client's "
                        + "connection), %.2f after the first result%n",
                viaSql.row("ML_PREDICT (gpufaas provider)"), viaClient.row("client alone"),
                viaSql.perSecond() / viaClient.perSecond(), viaSql.perSecondAfterFirst() / viaClient.perSecondAfterFirst());
    }

    /** One path's timings, in System.nanoTime() readings. */
    private record Run(int rows, int ok, long start, long first, long end) {
        double perSecond() {
            return rows / ((end - start) / 1e9);
        }

        double perSecondAfterFirst() {
            return (rows - 1) / ((end - first) / 1e9);
        }

        String row(String path) {
            return String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f | %.0f | %.0f |", path, rows, ok,
                    (end - start) / 1e9, (first - start) / 1e9, perSecond(), perSecondAfterFirst());
        }
    }

    private static byte[] png(Color color) {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 64, 64);
        g.dispose();
        return encode(img);
    }

    private static byte[] gradient() {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | 128);
            }
        }
        return encode(img);
    }

    private static byte[] encode(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
