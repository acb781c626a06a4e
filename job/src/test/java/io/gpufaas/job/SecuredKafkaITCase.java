package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.testkit.KafkaProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a broker that authenticates (SASL/PLAIN) and authorizes (KRaft's
 * StandardAuthorizer, nothing allowed without an ACL), with the principals and ACLs
 * docs/security.md gives: the job runs as its own principal, its SASL settings reaching every
 * client it makes through {@code gpufaas.kafka.properties.*}; a tenant may invoke and read
 * results but cannot write to the control topic; an operator can.
 */
class SecuredKafkaITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestMiniClusters.of(1, 2);

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Test
    void theJobRunsAuthenticatedAndATenantCannotWriteToTheControlTopic(@TempDir Path dir) throws Exception {
        try (KafkaProcess kafka = KafkaProcess.formatSecured(dir, Map.of("gpufaas", "job-secret", "tenant",
                "tenant-secret", "operator", "operator-secret"))) {
            kafka.start();
            JobTopics topics = JobTopics.create(kafka, "sec", 1);
            try (var admin = kafka.admin()) {
                admin.createAcls(acls(topics)).all().get();
            }
            List<String> args = new ArrayList<>();
            kafka.clientProperties("gpufaas").forEach((k, v) -> {
                args.add("--gpufaas.kafka.properties." + k);
                args.add(v.toString());
            });
            Configuration conf = topics.config(args.toArray(String[]::new));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            JobClient job = GpuFaasJob.start(env, conf);
            try {
                Properties tenant = kafka.clientProperties("tenant");
                tenant.put("bootstrap.servers", kafka.bootstrapServers());
                Invocation inv = new Invocation("t-1", "echo", Payload.text("from a tenant"), Invocation.NO_DEADLINE,
                        Map.of(), null);
                try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(tenant, new ByteArraySerializer(), new ByteArraySerializer())) {
                    producer.send(new ProducerRecord<>(topics.invocations(), bytes("t-1"), EventJson.encodeInvocation(inv)))
                            .get();
                    // The tenant may not touch the control plane.
                    assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topics.control(), bytes("echo"),
                            bytes("{\"v\":1,\"action\":\"REMOVE\",\"function\":\"echo\"}"))).get())
                            .isInstanceOf(ExecutionException.class)
                            .hasCauseInstanceOf(TopicAuthorizationException.class);
                }
                InvocationResult result = readResult(tenant, topics.results(), "t-1");
                assertThat(result.status()).isEqualTo(ResultStatus.OK);
                assertThat(result.outputJson()).contains("from a tenant");

                // The operator may: a DEPLOY of a built-in is accepted, and the job keeps answering.
                Properties operator = kafka.clientProperties("operator");
                operator.put("bootstrap.servers", kafka.bootstrapServers());
                try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(operator, new ByteArraySerializer(), new ByteArraySerializer())) {
                    producer.send(new ProducerRecord<>(topics.control(), bytes("echo"),
                            bytes("{\"v\":1,\"action\":\"DEPLOY\",\"function\":\"echo\"}"))).get();
                }
                assertThat(job.getJobStatus().get()).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
                assertThat(kafka.readAll(topics.deadLetters())).isEmpty();
            } finally {
                job.cancel().get();
            }
        }
    }

    /** The ACLs of docs/security.md for these topics. */
    static List<AclBinding> acls(JobTopics t) {
        List<AclBinding> acls = new ArrayList<>();
        // The job: reads invocations and control, reads and writes its own status topic, writes
        // results and dead letters, reads their limits, commits offsets in its group.
        allow(acls, "gpufaas", ResourceType.TOPIC, t.invocations(), AclOperation.READ, AclOperation.DESCRIBE,
                AclOperation.DESCRIBE_CONFIGS);
        allow(acls, "gpufaas", ResourceType.TOPIC, t.control(), AclOperation.READ, AclOperation.DESCRIBE,
                AclOperation.DESCRIBE_CONFIGS);
        allow(acls, "gpufaas", ResourceType.TOPIC, t.status(), AclOperation.READ, AclOperation.WRITE,
                AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
        allow(acls, "gpufaas", ResourceType.TOPIC, t.results(), AclOperation.WRITE, AclOperation.DESCRIBE,
                AclOperation.DESCRIBE_CONFIGS);
        allow(acls, "gpufaas", ResourceType.TOPIC, t.deadLetters(), AclOperation.WRITE, AclOperation.DESCRIBE,
                AclOperation.DESCRIBE_CONFIGS);
        acls.add(new AclBinding(new ResourcePattern(ResourceType.GROUP, "gpufaas", PatternType.PREFIXED),
                new AccessControlEntry("User:gpufaas", "*", AclOperation.READ, AclPermissionType.ALLOW)));
        // A tenant: invokes, and reads answers.
        allow(acls, "tenant", ResourceType.TOPIC, t.invocations(), AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, "tenant", ResourceType.TOPIC, t.results(), AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, "tenant", ResourceType.TOPIC, t.deadLetters(), AclOperation.READ, AclOperation.DESCRIBE);
        // The operator: deploys and removes functions.
        allow(acls, "operator", ResourceType.TOPIC, t.control(), AclOperation.WRITE, AclOperation.DESCRIBE);
        return acls;
    }

    private static void allow(List<AclBinding> acls, String user, ResourceType type, String name, AclOperation... ops) {
        for (AclOperation op : ops) {
            acls.add(new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                    new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
        }
    }

    private static InvocationResult readResult(Properties client, String topic, String id) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(client, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    InvocationResult result = EventJson.decodeResult(r.value());
                    if (result.id().equals(id)) {
                        return result;
                    }
                }
            }
        }
        throw new AssertionError("no result for " + id + " within " + TIMEOUT);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
