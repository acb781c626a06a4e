package io.gpufaas.bench;

import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.Payload;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * A task manager killed under load, measured from outside as a caller sees it: invocations of
 * the given functions (echo, tiny-mlp and tiny-cnn by default) in turn, at a steady rate, into a
 * running gpufaas job, a kill command at a
 * given second, and every result read back ({@code read_committed} by default). Reports lost and
 * duplicated ids, the longest gap in results, the latency of invocations sent within 10 s of the
 * kill, and each worker's model loads after the failover (from the REST API); writes Markdown and a
 * PNG of results per second. scripts/bench-failover.sh sets up the cluster around it.
 */
public final class FailoverBenchmark {

    private FailoverBenchmark() {}

    public static void main(String[] argv) throws Exception {
        BenchArgs args = BenchArgs.parse(argv);
        String bootstrap = args.string("bootstrap", "127.0.0.1:9092");
        double rate = args.decimal("rate", 200);
        int seconds = args.integer("seconds", 80);
        int killAt = args.integer("kill-at", 40);
        String kill = args.string("kill", "scripts/cluster.sh kill-taskmanager 1");
        String rest = args.string("rest", "http://localhost:8081");
        String job = args.string("job", "");
        String isolation = args.string("isolation", "read_committed");
        String label = args.string("label", "failover");
        List<String> functions = args.strings("functions", List.of("echo", "tiny-mlp", "tiny-cnn"));
        Path out = args.path("out", Path.of("work", "failover"));
        args.done();
        Files.createDirectories(out);

        String run = Long.toHexString(System.currentTimeMillis());
        int total = (int) (rate * seconds);
        long[] sentAt = new long[total];
        Map<Integer, Long> firstResultAt = new ConcurrentHashMap<>();
        AtomicLong duplicates = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Long> arrivals = java.util.Collections.synchronizedList(new ArrayList<>());

        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap, isolation);
                KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            List<TopicPartition> parts = consumer.partitionsFor("gpufaas.results").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position);
            String prefix = "failover-" + run + "-";
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        String id = new String(r.key(), StandardCharsets.UTF_8);
                        if (!id.startsWith(prefix)) {
                            continue;
                        }
                        long now = System.currentTimeMillis();
                        int i = Integer.parseInt(id.substring(prefix.length()));
                        if (firstResultAt.putIfAbsent(i, now) != null) {
                            duplicates.incrementAndGet();
                        } else {
                            arrivals.add(now);
                        }
                    }
                }
            }, "failover-results");
            reader.setDaemon(true);
            reader.start();

            // echo takes text, tiny-mlp a 1x4 tensor, every other function (tiny-cnn, the
            // architectures of scripts/make-models.sh) an image.
            Payload image = Payload.image(png());
            List<Payload> inputs = functions.stream().map(f -> f.equals("echo") ? Payload.text("hello")
                    : f.equals("tiny-mlp") ? PipelineBenchmark.tensor() : image).toList();
            long start = System.currentTimeMillis();
            long killedAt = 0;
            for (int i = 0; i < total; i++) {
                long due = start + (long) (i * 1000 / rate);
                long wait = due - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                if (killedAt == 0 && System.currentTimeMillis() - start >= killAt * 1000L) {
                    killedAt = System.currentTimeMillis();
                    System.out.printf(Locale.ROOT, "[failover] +%d s: %s%n", killAt, kill);
                    new ProcessBuilder("bash", "-c", kill).inheritIO().start();
                }
                String id = prefix + i;
                int k = i % functions.size();
                byte[] value = EventJson.encodeInvocation(invocation(id, functions.get(k), inputs.get(k)));
                sentAt[i] = System.currentTimeMillis();
                producer.send(new ProducerRecord<>("gpufaas.invocations", id.getBytes(StandardCharsets.UTF_8), value));
            }
            producer.flush();
            long quietSince = System.currentTimeMillis();
            int seen = 0;
            while (firstResultAt.size() < total && System.currentTimeMillis() - quietSince < 90_000) {
                Thread.sleep(500);
                if (firstResultAt.size() != seen) {
                    seen = firstResultAt.size();
                    quietSince = System.currentTimeMillis();
                }
            }
            Thread.sleep(3000); // late duplicates
            stop.set(true);
            reader.join(5000);

            Report report = new Report(label, total, firstResultAt.size(), duplicates.get(), start, killedAt,
                    gap(arrivals), latencies(sentAt, firstResultAt, killedAt - 10_000, killedAt + 10_000),
                    latencies(sentAt, firstResultAt, start, killedAt - 10_000), workerLoads(rest, job));
            String md = report.markdown();
            System.out.println(md);
            Files.writeString(out.resolve(label + ".md"), md);
            plot(label, arrivals, start, killedAt, out.resolve(label + ".png"));
        }
    }

    private static Invocation invocation(String id, String function, Payload input) {
        return new Invocation(id, function, input, Invocation.NO_DEADLINE, Map.of(), null);
    }

    /** The longest time between two consecutive first results, and when it began (ms). */
    private static long[] gap(List<Long> arrivals) {
        long[] sorted;
        synchronized (arrivals) {
            sorted = arrivals.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        long longest = 0;
        long from = 0;
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] - sorted[i - 1] > longest) {
                longest = sorted[i] - sorted[i - 1];
                from = sorted[i - 1];
            }
        }
        return new long[] {longest, from};
    }

    /** Sorted latencies (ms) of the answered invocations sent in [from, to); unanswered ones are lost, not here. */
    private static long[] latencies(long[] sentAt, Map<Integer, Long> results, long from, long to) {
        List<Long> l = new ArrayList<>();
        for (int i = 0; i < sentAt.length; i++) {
            Long r = results.get(i);
            if (sentAt[i] >= from && sentAt[i] < to && r != null) {
                l.add(r - sentAt[i]);
            }
        }
        return l.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** Each worker subtask's modelLoads, warmRestoredModels and reattachedModels since its last (re)start (REST API). */
    private static String workerLoads(String rest, String job) {
        if (job.isEmpty()) {
            return "(no --job given)";
        }
        try {
            HttpClient http = HttpClient.newHttpClient();
            com.fasterxml.jackson.databind.JsonNode worker = null;
            for (com.fasterxml.jackson.databind.JsonNode v : new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(get(http, rest + "/jobs/" + job)).path("vertices")) {
                if (v.path("name").asText().startsWith("worker")) {
                    worker = v;
                }
            }
            if (worker == null) {
                return "(no worker vertex found)";
            }
            String vertex = worker.path("id").asText();
            int parallelism = worker.path("parallelism").asInt();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < parallelism; i++) {
                names.add(i + ".worker.modelLoads");
                names.add(i + ".worker.warmRestoredModels");
                names.add(i + ".worker.reattachedModels");
            }
            // The REST API answers from a cache its first request starts filling: ask until it has them.
            String url = rest + "/jobs/" + job + "/vertices/" + vertex + "/metrics?get=" + String.join(",", names);
            String values = get(http, url);
            for (int i = 0; i < 30 && values.equals("[]"); i++) {
                Thread.sleep(1000);
                values = get(http, url);
            }
            return values;
        } catch (Exception e) {
            return "(REST API: " + e.getMessage() + ")";
        }
    }

    private static String get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private record Report(String label, int sent, int answered, long duplicates, long start, long killedAt,
            long[] gap, long[] aroundKill, long[] beforeKill, String workerLoads) {

        String markdown() {
            return String.format(Locale.ROOT, """
                    ## %s

                    | sent | answered | lost | duplicated | longest gap in results | around the kill (±10 s): answered, p50 / p99 / max | before it: p50 / p99 |
                    | ---: | ---: | ---: | ---: | ---: | --- | --- |
                    | %d | %d | %d | %d | %.1f s (from +%.1f s) | %d, %s / %s / %s ms | %s / %s ms |

                    The kill at +%.1f s. Worker metrics after the failover (REST API): `%s`
                    """, label, sent, answered, sent - answered, duplicates, gap[0] / 1000.0,
                    (gap[1] - start) / 1000.0, aroundKill.length, pct(aroundKill, 0.5), pct(aroundKill, 0.99),
                    pct(aroundKill, 1.0), pct(beforeKill, 0.5), pct(beforeKill, 0.99), (killedAt - start) / 1000.0,
                    workerLoads);
        }

        private static String pct(long[] sorted, double q) {
            if (sorted.length == 0) {
                return "-";
            }
            return Long.toString(sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)]);
        }
    }

    private static void plot(String label, List<Long> arrivals, long start, long killedAt, Path png) throws Exception {
        long[] sorted;
        synchronized (arrivals) {
            sorted = arrivals.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        int secondsSpan = sorted.length == 0 ? 1 : (int) ((sorted[sorted.length - 1] - start) / 1000) + 1;
        double[] x = new double[secondsSpan];
        double[] y = new double[secondsSpan];
        for (int s = 0; s < secondsSpan; s++) {
            x[s] = s;
        }
        for (long t : sorted) {
            y[(int) ((t - start) / 1000)]++;
        }
        XYChart chart = new XYChartBuilder().width(900).height(450).title("Results per second: " + label)
                .xAxisTitle("seconds since the first invocation").yAxisTitle("results/s").build();
        chart.addSeries("results/s", x, y).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        double k = (killedAt - start) / 1000.0;
        double top = Arrays.stream(y).max().orElse(1);
        chart.addSeries("task manager killed", new double[] {k, k}, new double[] {0, top})
                .setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** An 8x8 PNG of one colour, written by hand: no image library is needed to make one. */
    private static byte[] png() throws Exception {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (int y = 0; y < 8; y++) {
            raw.write(0);
            for (int x = 0; x < 8; x++) {
                raw.write(new byte[] {(byte) 200, 100, 50});
            }
        }
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater())) {
            z.write(raw.toByteArray());
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(8).putInt(8).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
