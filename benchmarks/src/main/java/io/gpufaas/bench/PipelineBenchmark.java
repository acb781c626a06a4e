package io.gpufaas.bench;

import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.RawRecord;
import io.gpufaas.job.GpuFaasJob;
import io.gpufaas.job.GpuFaasOptions;
import io.gpufaas.job.JobConfig;
import io.gpufaas.job.KafkaIo;
import io.gpufaas.testkit.EmbeddedKafka;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * The service path against the engine's own limit, in one run on one broker: (a) a passthrough
 * Flink job (Kafka, map, Kafka, with the job's source, sink and buffer settings and parallelism),
 * (b) gpufaas with echo, (c) gpufaas with a tiny TorchScript model, (d) gpufaas with 100 KB images.
 * Latency is measured by the client, from each record's scheduled send time (open loop, so a
 * stall is not hidden by the sender waiting) to its output record, at each offered rate; then a
 * burst is sent as fast as the producer goes and the drain rate and OVERLOADED results counted.
 *
 * <p>{@code scripts/bench-pipeline.sh [--rates 50,500,2000] [--seconds 20] [--burst 20000] [--out docs]
 * [--scenarios passthrough,echo,tiny-mlp,images-100kb] [--job "--gpufaas.router.slots-per-worker 8"]}
 */
public final class PipelineBenchmark {

    /**
     * One pipeline under test; {@code function} null is the passthrough job, {@code settings} its own
     * job arguments, applied before the run's {@code --job}.
     */
    record Scenario(String name, String function, Supplier<Payload> input, String settings) {
        Scenario(String name, String function, Supplier<Payload> input) {
            this(name, function, input, "");
        }
    }

    /** What the client measured at one offered rate. */
    record Point(String scenario, double offeredPerSecond, int sent, int received, double p50Ms, double p99Ms,
            double p999Ms, int overloaded, double drainedPerSecond, double cpuMsPerThousand, double megabytesPerSecond,
            double reportsPerThousand) {}

    /**
     * CPU time of this whole process (job, embedded broker and client together): the same
     * broker and client serve both pipelines, so the difference between them is the job's.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static final int PARALLELISM = 2;
    /** Bursts measured per pipeline, after one to warm up; the median is reported. */
    private static final int BURSTS = 3;

    /** The most bytes one burst sends: the embedded broker keeps them on this machine's disk. */
    private static final long BURST_BYTES = 256L << 20;

    private PipelineBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchArgs a = BenchArgs.parse(args);
        List<Double> rates = a.decimals("rates", List.of(50.0, 500.0, 2000.0));
        int seconds = a.integer("seconds", 20);
        int burst = a.integer("burst", 20_000);
        Path repo = a.path("repo", Path.of("udf-gpu", "src", "test", "resources", "repo"));
        Path out = a.path("out", Path.of("docs"));
        List<String> only = a.strings("scenarios", List.of("passthrough", "echo", "tiny-mlp", "images-100kb",
                "passthrough-100kb", "echo-100kb", "echo-100kb-via-router"));
        // Settings for every pipeline, as the job takes them: e.g. "--execution.buffer-timeout.interval 1ms".
        String jobArgs = a.string("job", "");
        a.done();
        byte[] image = noisePng(100_000);
        List<Scenario> scenarios = new ArrayList<>();
        scenarios.add(new Scenario("passthrough", null, () -> Payload.text("hello")));
        scenarios.add(new Scenario("echo", "echo", () -> Payload.text("hello")));
        scenarios.add(new Scenario("tiny-mlp", "tiny-mlp", PipelineBenchmark::tensor));
        scenarios.add(new Scenario("images-100kb", "tiny-cnn", () -> Payload.image(image)));
        // The data path alone with 100 KB payloads: the plain job against echo (which returns them).
        scenarios.add(new Scenario("passthrough-100kb", null, () -> Payload.image(image)));
        scenarios.add(new Scenario("echo-100kb", "echo", () -> Payload.image(image)));
        // The same through the router, as before payloads could go around it.
        scenarios.add(new Scenario("echo-100kb-via-router", "echo", () -> Payload.image(image),
                "--gpufaas.router.payload-bypass-threshold 1gb"));
        scenarios.removeIf(s -> !only.contains(s.name()));
        List<Point> points = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            for (Scenario s : scenarios) {
                points.addAll(measure(kafka, s, rates, seconds, burst, repo, jobArgs));
            }
        }
        String command = ("scripts/bench-pipeline.sh " + String.join(" ", args)).trim();
        String md = report(points, seconds, burst, image.length, command);
        Files.createDirectories(out);
        Files.writeString(out.resolve("pipeline.md"), md);
        plot(points, out.resolve("pipeline-latency.png"));
        System.out.print(md);
    }

    private static List<Point> measure(EmbeddedKafka kafka, Scenario s, List<Double> rates, int seconds, int burst,
            Path repo, String jobArgs) throws Exception {
        String p = s.name().replace('-', '_');
        Configuration conf = BenchJob.conf(kafka, p, repo, PARALLELISM);
        for (String args : List.of(s.settings(), jobArgs)) {
            if (!args.isBlank()) {
                conf.addAll(JobConfig.fromArgs(new Configuration(), args.trim().split("\\s+")));
            }
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM);
        JobClient job = s.function() == null ? passthrough(env, conf) : GpuFaasJob.start(env, conf);
        List<Point> points = new ArrayList<>();
        try {
            // Warm-up: the job's start, the first load, the JIT.
            run(kafka, s, p, 50, 5, false);
            for (double rate : rates) {
                Point point = run(kafka, s, p, rate, seconds, false);
                points.add(point);
                if (point.received() < point.sent() || point.p50Ms() > 1_000 * seconds / 4.0) {
                    System.err.printf(Locale.ROOT, "%s is saturated at %.0f/s: higher rates skipped%n", s.name(), rate);
                    break; // past saturation a higher rate only measures a longer queue
                }
            }
            // A burst of at most BURST_BYTES: 20,000 small invocations, fewer large ones. One burst
            // unmeasured first: a burst takes paths the steady rates do not (queues in the router,
            // full batches), and without it the JIT compiles them during the measured one.
            // Then the median of BURSTS: one burst on 2 shared cores varies by half between runs.
            int burstSize = (int) Math.min(burst, BURST_BYTES / recordBytes(s));
            run(kafka, s, p, Double.POSITIVE_INFINITY, burstSize, true);
            List<Point> bursts = new ArrayList<>();
            for (int i = 0; i < BURSTS; i++) {
                bursts.add(run(kafka, s, p, Double.POSITIVE_INFINITY, burstSize, true));
            }
            bursts.sort(java.util.Comparator.comparingDouble(Point::drainedPerSecond));
            System.err.printf(Locale.ROOT, "%s bursts drained at %s/s: the median is reported%n", s.name(),
                    bursts.stream().map(b -> String.format(Locale.ROOT, "%.0f", b.drainedPerSecond())).toList());
            points.add(bursts.get(BURSTS / 2));
        } finally {
            job.cancel().get();
        }
        return points;
    }

    /** Kafka, map, Kafka: the invocation source and result sink as the job builds them, nothing else. */
    private static JobClient passthrough(StreamExecutionEnvironment env, Configuration conf) throws Exception {
        // The job's own buffer timeout (GpuFaasJob's default unless the settings name one).
        env.setBufferTimeout(conf.getOptional(org.apache.flink.configuration.ExecutionOptions.BUFFER_TIMEOUT)
                .map(Duration::toMillis).orElse(GpuFaasJob.LOW_LATENCY_BUFFER_TIMEOUT_MS));
        String topic = conf.get(GpuFaasOptions.RESULTS_TOPIC);
        Properties producer = JobConfig.kafkaProperties(conf);
        producer.putIfAbsent("linger.ms", "0"); // as the job's result sink (KafkaIo)
        KafkaSink<RawRecord> sink = KafkaSink.<RawRecord>builder()
                .setBootstrapServers(conf.get(GpuFaasOptions.BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(producer)
                .setRecordSerializer((KafkaRecordSerializationSchema<RawRecord>) (r, context, timestamp) ->
                        new ProducerRecord<>(topic, null, timestamp, r.key(), r.value()))
                .setDeliveryGuarantee(conf.get(GpuFaasOptions.DELIVERY_GUARANTEE))
                .setTransactionalIdPrefix("passthrough")
                .build();
        env.fromSource(KafkaIo.invocationSource(conf), WatermarkStrategy.noWatermarks(), "invocations")
                .map(r -> r).name("passthrough")
                .sinkTo(sink);
        return env.executeAsync("passthrough");
    }

    /**
     * Sends at {@code rate} per second for {@code amount} seconds (or, for a burst, {@code amount}
     * records as fast as the producer goes) and measures each output's latency from its
     * scheduled send time.
     */
    private static Point run(EmbeddedKafka kafka, Scenario s, String p, double rate, int amount, boolean isBurst)
            throws Exception {
        int total = isBurst ? amount : (int) Math.round(rate * amount);
        String prefix = p + "-" + (isBurst ? "burst" : (long) rate) + "-" + System.nanoTime() + "-";
        Map<String, Long> scheduled = new ConcurrentHashMap<>();
        double[] latencies = new double[total];
        AtomicLong received = new AtomicLong();
        AtomicLong overloaded = new AtomicLong();
        AtomicLong lastReceiveNanos = new AtomicLong();
        java.util.concurrent.CountDownLatch listening = new java.util.concurrent.CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, p + "-res")) {
                listening.countDown();
                long deadline = System.nanoTime() + Duration.ofSeconds(120 + (isBurst ? 120 : amount)).toNanos();
                while (received.get() < total && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(5))) {
                        long now = System.nanoTime();
                        String id = new String(r.key(), StandardCharsets.UTF_8);
                        Long at = scheduled.remove(id);
                        if (at == null) {
                            continue; // an earlier run's
                        }
                        if (new String(r.value(), StandardCharsets.UTF_8).contains("\"OVERLOADED\"")) {
                            overloaded.incrementAndGet();
                        }
                        latencies[(int) received.getAndIncrement()] = (now - at) / 1e6;
                        lastReceiveNanos.set(now);
                    }
                }
            }
        });
        reader.start();
        listening.await();
        long reportsAtStart = records(kafka, p + "-st");
        long[] requestsAtStart = brokerRequests();
        long cpuAtStart = processCpuNanos();
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = BenchJob.producer(kafka)) {
            for (int i = 0; i < total; i++) {
                long at = isBurst ? System.nanoTime() : start + (long) (i * 1e9 / rate);
                while (!isBurst && System.nanoTime() < at) {
                    long waitNanos = at - System.nanoTime();
                    if (waitNanos > 200_000) {
                        Thread.sleep(0, (int) Math.min(999_999, waitNanos - 100_000));
                    }
                }
                String id = prefix + i;
                scheduled.put(id, at);
                Invocation inv = new Invocation(id, s.function() == null ? "echo" : s.function(), s.input().get(),
                        Invocation.NO_DEADLINE, Map.of(), null);
                producer.send(new ProducerRecord<>(p + "-inv", id.getBytes(StandardCharsets.UTF_8), EventJson.encodeInvocation(inv)));
            }
            producer.flush();
        }
        reader.join();
        long cpuNanos = processCpuNanos() - cpuAtStart;
        int n = (int) received.get();
        long reports = records(kafka, p + "-st") - reportsAtStart;
        long[] requests = brokerRequests();
        System.err.printf(Locale.ROOT, "%s: broker requests per 1,000 outputs: %.0f produce, %.0f fetch%n", s.name(),
                (requests[0] - requestsAtStart[0]) * 1000.0 / Math.max(1, received.get()),
                (requests[1] - requestsAtStart[1]) * 1000.0 / Math.max(1, received.get()));
        double[] l = Arrays.copyOf(latencies, n);
        Arrays.sort(l);
        double elapsed = (lastReceiveNanos.get() - start) / 1e9;
        int payloadBytes = recordBytes(s);
        double perSecond = n / Math.max(1e-3, elapsed);
        Point point = new Point(s.name(), rate, total, n, q(l, 0.5), q(l, 0.99), q(l, 0.999), (int) overloaded.get(),
                perSecond, n == 0 ? Double.NaN : cpuNanos / 1e6 / n * 1000, perSecond * payloadBytes / 1e6,
                n == 0 ? Double.NaN : reports * 1000.0 / n);
        System.err.printf(Locale.ROOT, "%s %s: %d/%d, p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, %d overloaded, %.0f/s, "
                        + "%.0f CPU-ms per 1,000, %.1f MB/s, %.0f reports per 1,000%n",
                s.name(), isBurst ? "burst " + total : String.format(Locale.ROOT, "%.0f/s", rate), n, total, point.p50Ms(),
                point.p99Ms(), point.p999Ms(), point.overloaded(), point.drainedPerSecond(), point.cpuMsPerThousand(),
                point.megabytesPerSecond(), point.reportsPerThousand());
        return point;
    }

    /** The size of one of {@code s}'s invocation records. */
    private static int recordBytes(Scenario s) {
        return EventJson.encodeInvocation(new Invocation("x", "x", s.input().get(), Invocation.NO_DEADLINE, Map.of(), null))
                .length;
    }

    private static double q(double[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1))];
    }

    private static String report(List<Point> points, int seconds, int burst, int imageBytes,
            String command) {
        StringBuilder md = new StringBuilder("# The service path against a plain Flink Kafka pipeline\n\n");
        md.append(String.format(Locale.ROOT, "Generated by `%s`: one embedded broker, each pipeline a local Flink job at "
                + "parallelism %d with the job's buffer timeout (%d ms) and Kafka settings (result producers with linger.ms 0), on this machine (2 shared cores, "
                + "the client and broker beside the job). Latency is client-side, from each invocation's scheduled send "
                + "time to its output record; %d s per rate after a 5 s warm-up. The images are %d-byte PNGs to tiny-cnn. "
                + "Burst: up to %d invocations (at most 256 MB) sent as fast as the producer goes, without deadlines, one burst to warm up and then the median of three; "
                + "drained/s is outputs over the time to the last one, MB/s that times the invocation record's size. "
                + "CPU-ms per 1,000 is this process's CPU time (job, broker and client alike) over the outputs. "
                + "The -100kb pipelines send the same 100 KB PNG to the plain job and to echo (the data path alone). A rate past a pipeline's saturation is not run "
                + "(its queue only grows). Ratios are to the passthrough job in the same run.%n%n",
                command, PARALLELISM, GpuFaasJob.LOW_LATENCY_BUFFER_TIMEOUT_MS, seconds, imageBytes, burst));
        md.append("| pipeline | offered/s | outputs | p50 ms | p99 ms | p99.9 ms | p50 vs passthrough | p99 vs passthrough | OVERLOADED | CPU-ms per 1,000 | vs passthrough |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Point pt : points) {
            if (Double.isInfinite(pt.offeredPerSecond())) {
                continue;
            }
            Point base = find(points, baseOf(pt.scenario(), points), pt.offeredPerSecond());
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %d/%d | %.1f | %.1f | %.1f | %s | %s | %d | %.0f | %s |%n",
                    pt.scenario(), pt.offeredPerSecond(), pt.received(), pt.sent(), pt.p50Ms(), pt.p99Ms(), pt.p999Ms(),
                    ratio(pt.p50Ms(), base == null ? Double.NaN : base.p50Ms()),
                    ratio(pt.p99Ms(), base == null ? Double.NaN : base.p99Ms()), pt.overloaded(), pt.cpuMsPerThousand(),
                    ratio(pt.cpuMsPerThousand(), base == null ? Double.NaN : base.cpuMsPerThousand())));
        }
        md.append("\n| pipeline | burst | outputs | drained/s | MB/s | vs passthrough | OVERLOADED | p50 ms | p99 ms | CPU-ms per 1,000 | reports per 1,000 |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        Point baseBurst = null;
        for (Point pt : points) {
            if (Double.isInfinite(pt.offeredPerSecond())) {
                baseBurst = find(points, baseOf(pt.scenario(), points), Double.POSITIVE_INFINITY);
                md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.1f | %s | %d | %.0f | %.0f | %.0f | %.0f |%n",
                        pt.scenario(), pt.sent(), pt.received(), pt.drainedPerSecond(), pt.megabytesPerSecond(),
                        ratio(pt.drainedPerSecond(), baseBurst == null ? Double.NaN : baseBurst.drainedPerSecond()),
                        pt.overloaded(), pt.p50Ms(), pt.p99Ms(), pt.cpuMsPerThousand(), pt.reportsPerThousand()));
            }
        }
        md.append("\n![latency against offered rate](pipeline-latency.png)\n\nReproduce: `").append(command).append("`\n");
        return md.toString();
    }

    /** The plain job a pipeline is compared with: the one with payloads of its size where it ran. */
    private static String baseOf(String scenario, List<Point> points) {
        boolean large = scenario.contains("-100kb");
        return large && points.stream().anyMatch(p -> p.scenario().equals("passthrough-100kb")) ? "passthrough-100kb"
                : "passthrough";
    }

    private static Point find(List<Point> points, String scenario, double rate) {
        return points.stream().filter(p -> p.scenario().equals(scenario) && p.offeredPerSecond() == rate).findFirst().orElse(null);
    }

    private static String ratio(double value, double base) {
        return Double.isNaN(base) || base <= 0 ? "" : String.format(Locale.ROOT, "%.2fx", value / base);
    }

    private static void plot(List<Point> points, Path png) throws Exception {
        XYChart chart = new XYChartBuilder().width(900).height(550).title("Client latency against offered rate")
                .xAxisTitle("offered invocations/s (log)").yAxisTitle("ms (log)").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        for (String scenario : points.stream().map(Point::scenario).distinct().toList()) {
            List<Point> ps = points.stream().filter(p -> p.scenario().equals(scenario) && !Double.isInfinite(p.offeredPerSecond())
                    && p.received() > 0).toList();
            if (ps.isEmpty()) {
                continue;
            }
            double[] x = ps.stream().mapToDouble(Point::offeredPerSecond).toArray();
            chart.addSeries(scenario + " p50", x, ps.stream().mapToDouble(Point::p50Ms).toArray());
            chart.addSeries(scenario + " p99", x, ps.stream().mapToDouble(Point::p99Ms).toArray());
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** A 1x4 float tensor, the input tiny-mlp takes. */
    static Payload tensor() {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 4; i++) {
            b.putFloat(0.25f * i);
        }
        return Payload.tensor(new long[] {1, 4}, b.array());
    }

    /** A PNG of random pixels of about {@code bytes} (noise does not compress). */
    static byte[] noisePng(int bytes) throws Exception {
        int side = (int) Math.sqrt(bytes / 3.0);
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        SplittableRandom random = new SplittableRandom(7);
        for (int x = 0; x < side; x++) {
            for (int y = 0; y < side; y++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** Produce and fetch requests the embedded broker (in this JVM) has served so far. */
    private static long[] brokerRequests() {
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        long[] counts = new long[2];
        String[] kinds = {"Produce", "Fetch"};
        for (int i = 0; i < 2; i++) {
            try {
                for (javax.management.ObjectName name : server.queryNames(new javax.management.ObjectName(
                        "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=" + kinds[i] + ",*"), null)) {
                    counts[i] += ((Number) server.getAttribute(name, "Count")).longValue();
                }
            } catch (javax.management.JMException e) {
                counts[i] = -1;
            }
        }
        return counts;
    }

    /** How many records {@code topic} holds (the sum of its partitions' end offsets). */
    private static long records(EmbeddedKafka kafka, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, topic)) {
            List<TopicPartition> tps = new ArrayList<>(c.assignment());
            return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < PARALLELISM; i++) {
            tps.add(new TopicPartition(topic, i));
        }
        c.assign(tps);
        c.seekToEnd(tps);
        tps.forEach(c::position); // resolve the end now, before anything is sent
        return c;
    }
}
