package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.testkit.EmbeddedKafka;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four workers, eight models, room for two models per worker, one skewed trace-like sequence:
 * locality-aware routing must find strictly more models resident than round-robin.
 */
class RoutingPolicyITCase {

    @RegisterExtension
    static final JobTestCluster CLUSTER = JobTestCluster.of(1, 4);

    private static final int FUNCTIONS = 8;
    private static final int INVOCATIONS = 96;

    @TempDir
    static Path repository;

    /** Eight functions, each a copy of the 268-byte tiny-mlp under its own name. */
    @BeforeAll
    static void repository() throws Exception {
        Path tiny = ModelInferenceITCase.REPOSITORY.resolve("tiny-mlp");
        for (int f = 0; f < FUNCTIONS; f++) {
            Path dir = Files.createDirectories(repository.resolve("fn" + f).resolve("1"));
            Files.copy(tiny.resolve("1/model.pt"), dir.resolve("model.pt"));
            Files.copy(tiny.resolve("function.json"), dir.getParent().resolve("function.json"));
        }
    }

    /** A Zipf-like popularity over the functions, seeded: the same sequence for every policy. */
    private static final java.util.concurrent.atomic.AtomicInteger RUNS = new java.util.concurrent.atomic.AtomicInteger();

    private static List<String> trace() {
        Random random = new Random(2019);
        double[] weights = new double[FUNCTIONS];
        double total = 0;
        for (int f = 0; f < FUNCTIONS; f++) {
            weights[f] = 1.0 / (f + 1);
            total += weights[f];
        }
        String[] sequence = new String[INVOCATIONS];
        for (int i = 0; i < INVOCATIONS; i++) {
            double u = random.nextDouble() * total;
            int f = 0;
            while (u > weights[f]) {
                u -= weights[f++];
            }
            sequence[i] = "fn" + f;
        }
        return List.of(sequence);
    }

    private static long hits(String policy) throws Exception {
        EmbeddedKafka kafka = CLUSTER.kafka();
        // Topics of their own per run: both tests run round-robin and lalb on the same broker.
        String p = policy.replace('-', '_') + RUNS.incrementAndGet();
        JobTopics topics = JobTopics.create(kafka, p, 2);
        ByteBuffer tensor = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3).putFloat(4);
        Configuration conf = topics.config(
                "--gpufaas.functions.repository", repository.toString(),
                "--gpufaas.device.kind", "CPU",
                "--gpufaas.device.cpu.memory-budget", "600b",
                "--gpufaas.router.policy", policy,
                "--gpufaas.router.slots-per-worker", "1",
                "--gpufaas.worker.parallelism", "4");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(4);
        JobClient job = GpuFaasJob.start(env, conf);
        try {
            List<String> trace = trace();
            for (int i = 0; i < trace.size(); i++) {
                Invocation inv = new Invocation("i" + i, trace.get(i), Payload.tensor(new long[] {1, 4}, tensor.array()),
                        Invocation.NO_DEADLINE, Map.of(), null);
                kafka.send(topics.invocations(), inv.id().getBytes(StandardCharsets.UTF_8), EventJson.encodeInvocation(inv));
            }
            List<InvocationResult> results = kafka.readUntil(topics.results(), r -> r.size() >= INVOCATIONS, Duration.ofSeconds(120))
                    .stream().map(r -> EventJson.decodeResult(r.value())).toList();
            assertThat(results).hasSize(INVOCATIONS);
            assertThat(results).extracting(InvocationResult::status).containsOnly(ResultStatus.OK);
            // Every invocation ran on one of the four workers, and the work was spread over more than one.
            assertThat(results).allSatisfy(r -> assertThat(r.placement().worker()).isBetween(0, 3));
            assertThat(results.stream().map(r -> r.placement().worker()).distinct().count()).isGreaterThan(1);
            return results.stream().filter(r -> r.placement().cacheHit()).count();
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void localityAwareRoutingHasStrictlyMoreHitsThanRoundRobin() throws Exception {
        long roundRobin = hits("round-robin");
        long lalb = hits("lalb");

        System.out.printf("hits on %d invocations: round-robin %d, lalb %d%n", INVOCATIONS, roundRobin, lalb);
        assertThat(lalb).isGreaterThan(roundRobin);
    }

    @Test
    void theTunedPolicyServesEveryInvocationAndKeepsLocality() throws Exception {
        // The job runs the tuned router end to end. 96 arrivals end no epoch (200), so it routes
        // with its first candidate, demand, throughout; replays and switches are tested in the
        // router operator's harness test and in core.
        assertThat(hits("tuned")).isGreaterThan(hits("round-robin"));
    }

    /**
     * Every policy on the same input, for the README's table; skipped unless asked for
     * ({@code -Dgpufaas.it.all-policies=true}), since it takes a minute.
     */
    @Test
    @EnabledIfSystemProperty(named = "gpufaas.it.all-policies", matches = "true")
    void everyPolicyOnTheSameInput() throws Exception {
        long roundRobin = hits("round-robin");
        for (String policy : java.util.Arrays.stream(PolicyName.values()).map(PolicyName::toString).toList()) {
            long hits = policy.equals("round-robin") ? roundRobin : hits(policy);
            System.out.printf("| %s | %d | %d |%n", policy, hits, INVOCATIONS - hits);
            if (!policy.equals("round-robin") && !policy.equals("least-loaded")) {
                assertThat(hits).as("%s, a locality-aware policy, against round-robin", policy).isGreaterThan(roundRobin);
            }
        }
    }
}
