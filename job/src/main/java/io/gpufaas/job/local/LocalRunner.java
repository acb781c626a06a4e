package io.gpufaas.job.local;

import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.job.GpuFaasJob;
import io.gpufaas.job.GpuFaasOptions;
import io.gpufaas.job.JobConfig;
import io.gpufaas.job.local.SampleInvocations.Sample;
import io.gpufaas.udf.FunctionRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The demo behind {@code scripts/run-local.sh}: runs the job in a local Flink with the web UI
 * against a running broker, sends sample invocations (some deliberately bad), prints the results
 * and dead letters they became, and stops the job, or leaves it running with
 * {@code --keep-running}. Exits non-zero if any record went missing.
 *
 * <p>Arguments: {@code --keep-running}, {@code --web-port N} (default 8081), {@code --count N}
 * valid invocations (default 9), {@code --fresh} (start without the previous run's state), then
 * any job option ({@link GpuFaasOptions}).
 *
 * <p>Stopping loses nothing: checkpoints are retained in {@code $GPUFAAS_WORK_DIR/checkpoints}
 * (default {@code work/}) and the next run resumes from the newest ({@link LocalCheckpoints}).
 */
public final class LocalRunner {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private LocalRunner() {}

    public static void main(String[] args) throws Exception {
        boolean keepRunning = false;
        boolean fresh = false;
        int webPort = 8081;
        int count = 9;
        List<String> jobArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--keep-running" -> keepRunning = true;
                case "--fresh" -> fresh = true;
                case "--web-port" -> webPort = Integer.parseInt(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                default -> jobArgs.add(args[i]);
            }
        }
        Configuration conf = JobConfig.fromArgs(new Configuration(), jobArgs.toArray(String[]::new));
        String bootstrap = conf.get(GpuFaasOptions.BOOTSTRAP_SERVERS);
        String runId = "local-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss"));

        List<Sample> valid = new ArrayList<>(SampleInvocations.valid(runId, count));
        conf.getOptional(GpuFaasOptions.FUNCTION_REPOSITORY).ifPresent(repo -> valid.addAll(
                SampleInvocations.forModels(runId, FunctionRegistry.withRepository(Path.of(repo)), 3)));
        int oversize = (int) Math.min(Integer.MAX_VALUE - 1024, conf.get(GpuFaasOptions.MAX_RECORD_SIZE).getBytes() + 1);
        List<Sample> bad = SampleInvocations.bad(runId, Math.min(oversize, 900_000));
        if (oversize > 900_000) {
            // The broker's default message limit is 1 MB: drop the oversize sample rather than fail to send it.
            bad = new ArrayList<>(bad.subList(0, bad.size() - 1));
        }
        // A poison record: ~900 KB, under every limit, whose dead letter must be truncated to fit.
        bad.add(SampleInvocations.poison(runId, 900_000));

        String resultsTopic = conf.get(GpuFaasOptions.RESULTS_TOPIC);
        String deadLettersTopic = conf.get(GpuFaasOptions.DEAD_LETTERS_TOPIC);
        try (KafkaConsumer<byte[], byte[]> results = consumerAtEnd(bootstrap, resultsTopic);
                KafkaConsumer<byte[], byte[]> deadLetters = consumerAtEnd(bootstrap, deadLettersTopic)) {

            Configuration flink = new Configuration();
            flink.set(RestOptions.PORT, webPort);
            flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(5));
            Path work = Path.of(System.getenv().getOrDefault("GPUFAAS_WORK_DIR", "work"));
            LocalCheckpoints.configure(flink, work.resolve("checkpoints"), fresh).ifPresent(chk -> System.out.printf(
                    "Resuming from the previous run's checkpoint %s (its waiting invocations are answered; "
                            + "--fresh starts without it)%n", chk));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
            env.setParallelism(2);
            JobClient job = GpuFaasJob.start(env, conf);
            System.out.printf("%nJob %s is running; web UI: http://localhost:%d%n", job.getJobID(), webPort);

            send(bootstrap, conf.get(GpuFaasOptions.INVOCATIONS_TOPIC), valid, bad);
            System.out.printf("Sent %d invocations (%d valid, %d deliberately bad) to %s%n",
                    valid.size() + bad.size(), valid.size(), bad.size(), conf.get(GpuFaasOptions.INVOCATIONS_TOPIC));

            Map<String, InvocationResult> gotResults = new TreeMap<>();
            Map<String, DeadLetter> gotLetters = new TreeMap<>();
            Map<String, Integer> seen = new TreeMap<>();
            java.util.Set<String> truncated = new java.util.TreeSet<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while ((gotResults.size() < valid.size() || gotLetters.size() < bad.size()) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : results.poll(Duration.ofMillis(200))) {
                    InvocationResult result = EventJson.decodeResult(r.value());
                    if (result.id().startsWith(runId)) {
                        gotResults.put(result.id(), result);
                        seen.merge("result " + result.id(), 1, Integer::sum);
                    }
                }
                for (ConsumerRecord<byte[], byte[]> r : deadLetters.poll(Duration.ofMillis(200))) {
                    String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                    if (key.startsWith(runId)) {
                        gotLetters.put(key, EventJson.decodeDeadLetter(r.value()));
                        seen.merge("dead letter " + key, 1, Integer::sum);
                        if (EventJson.isTruncatedDeadLetter(r.value())) {
                            truncated.add(key);
                        }
                    }
                }
            }
            // Let a duplicate that follows the last expected record show up too.
            for (int i = 0; i < 3; i++) {
                results.poll(Duration.ofMillis(200)).forEach(r -> {
                    InvocationResult result = EventJson.decodeResult(r.value());
                    if (result.id().startsWith(runId)) {
                        seen.merge("result " + result.id(), 1, Integer::sum);
                    }
                });
            }
            print(gotResults, gotLetters, truncated, resultsTopic, deadLettersTopic);
            List<String> duplicates = seen.entrySet().stream().filter(e -> e.getValue() > 1)
                    .map(e -> e.getKey() + " x" + e.getValue()).toList();
            JobHealth health = JobHealth.of(webPort, job.getJobID().toString());
            boolean complete = gotResults.size() == valid.size() && gotLetters.size() == bad.size();
            boolean healthy = complete && duplicates.isEmpty() && health.healthy();
            System.out.printf("%nSummary: %d sent -> %d results + %d dead letters (%d truncated to fit), %d duplicates; "
                            + "job %s, %d restarts%s%n",
                    valid.size() + bad.size(), gotResults.size(), gotLetters.size(), truncated.size(), duplicates.size(),
                    health.status(), health.restarts(),
                    healthy ? " (nothing lost, nothing twice)" : complete ? " (SEE ABOVE)" : " (MISSING RECORDS)");
            if (!duplicates.isEmpty()) {
                System.out.println("Duplicates: " + duplicates);
            }
            if (health.restarts() > 0) {
                System.out.println("The job restarted; its last failure: " + health.lastFailure());
            }

            if (keepRunning) {
                System.out.printf("%nThe job is %s: web UI http://localhost:%d ; produce to '%s' (see docs/contract.md); "
                        + "press Ctrl-C to stop. A restart will be reported here.%n", health.status(), webPort,
                        conf.get(GpuFaasOptions.INVOCATIONS_TOPIC));
                watch(job, webPort, health.restarts());
            } else {
                job.cancel().get(30, TimeUnit.SECONDS);
                System.out.println("Job cancelled.");
            }
            System.exit(healthy ? 0 : 1);
        }
    }

    /** Until the job ends: says so whenever it restarts, with the failure that caused it. */
    private static void watch(JobClient job, int webPort, long restartsSoFar) throws Exception {
        long known = restartsSoFar;
        while (!job.getJobStatus().get().isGloballyTerminalState()) {
            JobHealth health = JobHealth.of(webPort, job.getJobID().toString());
            if (health.restarts() > known) {
                System.out.printf("[%s] the job restarted (%d restarts so far); last failure: %s%n",
                        LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_TIME), health.restarts(), health.lastFailure());
                known = health.restarts();
            }
            Thread.sleep(2_000); // polling the REST API for the console
        }
        System.out.println("The job ended: " + job.getJobStatus().get());
    }

    private static void print(Map<String, InvocationResult> results, Map<String, DeadLetter> letters,
            java.util.Set<String> truncated, String resultsTopic, String deadLettersTopic) {
        System.out.printf("%nResults on '%s':%n", resultsTopic);
        System.out.printf("  %-44s %-6s %-7s %-5s %7s %7s %7s  %s%n",
                "id", "status", "device", "hit", "load ms", "exec ms", "e2e ms", "output");
        results.values().forEach(r -> System.out.printf("  %-44s %-6s %-7s %-5s %7d %7d %7d  %s%n",
                r.id(), r.status(), r.placement().worker() + "/" + r.placement().device(),
                r.placement().cacheHit() ? "hit" : "miss", r.timing().loadMs(), r.timing().execMs(),
                r.timing().endToEndMs(), abbreviate(r.outputJson().isEmpty()
                        ? r.errorCode() + ": " + r.errorMessage() : r.outputJson(), 70)));
        System.out.printf("%nDead letters on '%s':%n", deadLettersTopic);
        System.out.printf("  %-44s %-20s %s%n", "key", "reason", "message");
        letters.forEach((key, d) -> System.out.printf("  %-44s %-20s %s%n", key, d.reason(),
                (truncated.contains(key) ? "[truncated to fit] " : "") + abbreviate(d.message(), 80)));
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    private static void send(String bootstrap, String topic, List<Sample> valid, List<Sample> bad) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Sample> all = new ArrayList<>(valid);
            all.addAll(bad);
            for (Sample s : all) {
                producer.send(new ProducerRecord<>(topic, s.key().getBytes(StandardCharsets.UTF_8), s.value()));
            }
            producer.flush();
        }
    }

    /** A consumer positioned at the current end, so only this run's output is read. */
    private static KafkaConsumer<byte[], byte[]> consumerAtEnd(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
        if (partitions.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("topic '" + topic + "' does not exist: start the broker with scripts/kafka.sh start");
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now, before anything is sent
        return consumer;
    }
}
