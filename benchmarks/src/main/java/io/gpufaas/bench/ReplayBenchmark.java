package io.gpufaas.bench;

import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.core.sim.AzureTrace;
import io.gpufaas.core.sim.SimResult;
import io.gpufaas.core.sim.Simulator;
import io.gpufaas.core.sim.Workload;
import io.gpufaas.job.GpuFaasJob;
import io.gpufaas.job.GpuFaasOptions;
import io.gpufaas.job.JobConfig;
import io.gpufaas.testkit.EmbeddedKafka;
import io.gpufaas.udf.api.LoadOutcome;
import io.gpufaas.udf.api.LoadedModel;
import io.gpufaas.udf.device.ComputeDevice;
import io.gpufaas.udf.djl.TorchScriptFunction;
import io.gpufaas.udf.repo.FunctionDefinition;
import io.gpufaas.udf.repo.ModelRepository;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Replays a slice of the Azure trace through the real job (real broker, real DJL models on this
 * machine's CPU), once per policy on the same invocations, and puts the simulator's prediction
 * for the same workload, priced with this machine's measured load and run times, beside it.
 *
 * <p>{@code scripts/bench-replay.sh [--repo work/replay-models] [--workers 4] [--budget-mb 60]
 * [--minutes 10] [--compression 10] [--max 300]}
 */
public final class ReplayBenchmark {


    private ReplayBenchmark() {}

    private record Measured(String policy, double meanMs, double p50Ms, double p99Ms, double hitRatio, double throughput,
            double loadWaitMs) {}

    public static void main(String[] args) throws Exception {
        BenchArgs a = BenchArgs.parse(args);
        Path shared = a.path("shared-data", Path.of("..", "shared", "data"));
        Path tracePath = a.path("trace", null); // default: the shared sample
        Path repo = a.path("repo", Path.of("work", "replay-models"));
        int workers = a.integer("workers", 4);
        long budgetMb = a.longValue("budget-mb", 60);
        int minutes = a.integer("minutes", 10);
        int start = a.integer("start", 600);
        double compression = a.decimal("compression", 10);
        int max = a.integer("max", 300);
        Path out = a.path("out", Path.of("docs", "evaluation"));
        a.done();
        List<FunctionDefinition> functions = ModelRepository.scan(repo);
        List<Workload.ModelCost> costs = measure(functions);
        AzureTrace trace = SimulationBenchmark.trace(shared, tracePath);
        Workload w = Workload.build(trace, costs, false,
                new Workload.Spec(functions.size(), start, minutes, compression, 1, true)).thin(max);
        long budget = budgetMb << 20;
        System.out.printf(Locale.ROOT, "Replaying %d invocations of %d functions over %.0f s through the job: %d CPU workers x %d MB%n",
                w.invocations(), functions.size(), w.durationMs() / 1000, workers, budgetMb);

        List<Measured> replayed = new ArrayList<>();
        List<SimResult> simulated = new ArrayList<>();
        List<SimResult> independent = new ArrayList<>();
        int cores = Runtime.getRuntime().availableProcessors();
        byte[] image = png();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            for (String policy : SimulationBenchmark.POLICIES) {
                replayed.add(replay(kafka, w, policy, repo, workers, budgetMb, image));
                // The replayed job's settings, built as the job builds them, so the simulator runs the
                // same router and worker logic; the workers share this machine's cores, as the
                // replayed ones did.
                Simulator.Config own = SimConfigs.job(workers, budget, JobConfig.fromArgs(new Configuration(),
                        REPLAY_SETTINGS.toArray(String[]::new)));
                simulated.add(Simulator.run(w, own.withHostCores(cores).withPolicy(PolicyName.of(policy))));
                independent.add(Simulator.run(w, own.withPolicy(PolicyName.of(policy))));
            }
        }
        Measured lb = replayed.get(0);
        SimResult slb = simulated.get(0);
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "# Replay through the real job%n%nGenerated by `scripts/bench-replay.sh`. %d invocations of "
                        + "the %d busiest functions of trace minutes %d-%d, compressed %.0fx and thinned (%.0f s), sent to a real broker "
                        + "at their timestamps and served by the real job: %d CPU workers with %d MB for models each, one invocation "
                        + "at a time, real DJL inference. Every policy gets the same invocations. The simulator runs the same "
                        + "workload, priced with the load and run times measured on this machine in the same run, its %d workers "
                        + "sharing this machine's %d cores (the last column: each on a core of its own). A simulated miss costs "
                        + "the load plus the first run's extra over a steady run (TorchScript optimises the graph on its first "
                        + "run), measured on the idle machine: %.0f ms on average over the models; a replayed miss's load wait "
                        + "is in its own column.%n%n",
                w.invocations(), functions.size(), start, start + minutes, compression, w.durationMs() / 1000, workers, budgetMb,
                workers, cores, costs.stream().mapToDouble(Workload.ModelCost::loadMs).average().orElse(0)));
        md.append("| policy | mean ms | p50 ms | p99 ms | hit ratio | invocations/s | load wait per miss ms | mean vs round-robin "
                + "| sim mean ms | sim hit ratio | sim mean vs round-robin | sim, own cores: mean vs round-robin |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (int i = 0; i < SimulationBenchmark.POLICIES.size(); i++) {
            Measured m = replayed.get(i);
            SimResult s = simulated.get(i);
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.3f | %.1f | %.0f | %.1fx | %.0f | %.3f | %.1fx | %.1fx |%n",
                    m.policy(), m.meanMs(), m.p50Ms(), m.p99Ms(), m.hitRatio(), m.throughput(), m.loadWaitMs(), lb.meanMs() / m.meanMs(),
                    s.meanMs(), s.hitRatio(), slb.meanMs() / s.meanMs(), independent.get(0).meanMs() / independent.get(i).meanMs()));
        }
        md.append(String.format(Locale.ROOT, "%nReproduce: `scripts/bench-replay.sh --repo %s --workers %d --budget-mb %d --minutes %d "
                + "--compression %.0f --max %d`%n", repo, workers, budgetMb, minutes, compression, max));
        Files.createDirectories(out);
        Files.writeString(out.resolve("replay.md"), md.toString());
        System.out.println();
        System.out.print(md);
        System.out.println("\nReport written to " + out.resolve("replay.md"));
    }

    /** Load and steady run time of every model on this CPU: the simulator's cost model for the cross-check. */
    static List<Workload.ModelCost> measure(List<FunctionDefinition> functions) {
        ComputeDevice cpu = ComputeDevice.cpu(64L << 30);
        List<Workload.ModelCost> costs = new ArrayList<>();
        boolean warm = false;
        for (FunctionDefinition def : functions) {
            TorchScriptFunction f = new TorchScriptFunction(def);
            if (!warm) {
                ((LoadOutcome.Loaded) f.load(cpu)).model().close(); // libtorch's own start-up
                warm = true;
            }
            LoadedModel m = ((LoadOutcome.Loaded) f.load(cpu)).model();
            Payload input = ModelBenchmark.input(def);
            long first = System.nanoTime();
            m.run(input);
            double firstMs = (System.nanoTime() - first) / 1e6;
            long t0 = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                m.run(input);
            }
            double exec = (System.nanoTime() - t0) / 5e6;
            // A miss pays the load and then TorchScript's first run, which optimises the graph and
            // costs several steady runs (bench-models: 2.5-15x): both belong to the miss.
            double missExtraMs = Math.max(0, firstMs - exec);
            costs.add(new Workload.ModelCost(def.name(), m.footprint().bytes(), m.loadNanos() / 1e6 + missExtraMs, exec));
            m.close();
        }
        return costs;
    }

    /** The replayed job's settings beyond its defaults; the simulator gets the same. */
    private static final List<String> REPLAY_SETTINGS = List.of(
            "--gpufaas.worker.concurrency", "1",
            "--gpufaas.router.slots-per-worker", "1",
            "--gpufaas.router.max-slots-per-worker", "1");

    private static Measured replay(EmbeddedKafka kafka, Workload w, String policy, Path repo, int workers,
            long budgetMb, byte[] image) throws Exception {
        String p = policy.replace('-', '_');
        Configuration conf = BenchJob.conf(kafka, p, repo, workers);
        conf.addAll(JobConfig.fromArgs(new Configuration(),
                "--gpufaas.device.cpu.memory-budget", budgetMb + "mb",
                "--gpufaas.router.policy", policy));
        conf.addAll(JobConfig.fromArgs(new Configuration(), REPLAY_SETTINGS.toArray(String[]::new)));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(workers);
        JobClient job = GpuFaasJob.start(env, conf);
        Map<String, InvocationResult> results = new HashMap<>();
        long t0;
        try (KafkaProducer<byte[], byte[]> producer = BenchJob.producer(kafka);
                KafkaConsumer<byte[], byte[]> consumer = consumer(kafka, p + "-res", workers)) {
            t0 = System.currentTimeMillis();
            int sent = 0;
            long deadline = t0 + (long) w.durationMs() + Duration.ofMinutes(5).toMillis();
            while (results.size() < w.invocations() && System.currentTimeMillis() < deadline) {
                long now = System.currentTimeMillis() - t0;
                while (sent < w.invocations() && w.arrivalMs()[sent] <= now) {
                    String id = p + "-" + sent;
                    Invocation inv = new Invocation(id, w.models().get(w.function()[sent]), Payload.image(image),
                            Invocation.NO_DEADLINE, Map.of(), null);
                    producer.send(new ProducerRecord<>(p + "-inv", id.getBytes(StandardCharsets.UTF_8), EventJson.encodeInvocation(inv)));
                    sent++;
                }
                producer.flush();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    InvocationResult result = EventJson.decodeResult(r.value());
                    results.put(result.id(), result);
                }
                progress(policy, sent, results.size(), w.invocations());
            }
        } finally {
            job.cancel().get();
        }
        System.err.println();
        double[] latencies = results.values().stream().mapToDouble(r -> r.timing().endToEndMs()).sorted().toArray();
        long hits = results.values().stream().filter(r -> r.placement().cacheHit()).count();
        long ok = results.values().stream().filter(r -> r.status() == ResultStatus.OK).count();
        if (ok < w.invocations()) {
            System.err.printf("%s: only %d of %d invocations ended OK%n", policy, ok, w.invocations());
        }
        double last = results.values().stream().mapToLong(InvocationResult::completedAtMs).max().orElse(t0) - t0;
        SimResult asResult = new SimResult(policy, latencies, hits, latencies.length - hits, last);
        // What a miss really waited for its load, under the job's own contention.
        double loadWait = results.values().stream().filter(r -> !r.placement().cacheHit() && r.timing().loadMs() > 0)
                .mapToDouble(r -> r.timing().loadMs()).average().orElse(0);
        return new Measured(policy, asResult.meanMs(), asResult.quantileMs(0.5), asResult.quantileMs(0.99),
                asResult.hitRatio(), latencies.length / Math.max(0.001, last / 1000), loadWait);
    }

    private static void progress(String policy, int sent, int done, int total) {
        int width = 40;
        int filled = (int) ((long) done * width / Math.max(1, total));
        System.err.printf("\r%-13s [%s%s] sent %d, done %d / %d", policy, "#".repeat(filled), ".".repeat(width - filled),
                sent, done, total);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka, String topic, int partitions) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            tps.add(new TopicPartition(topic, i));
        }
        c.assign(tps);
        c.seekToBeginning(tps);
        return c;
    }

    private static byte[] png() throws Exception {
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 64; x++) {
            for (int y = 0; y < 48; y++) {
                img.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | 128);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
