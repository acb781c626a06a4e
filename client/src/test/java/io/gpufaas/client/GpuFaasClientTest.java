package io.gpufaas.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpufaas.core.contract.DecodeLimits;
import io.gpufaas.core.contract.DecodeOutcome;
import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.FunctionSpec;
import io.gpufaas.core.contract.InputKind;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationDecoder;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Placement;
import io.gpufaas.core.contract.RawRecord;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.core.contract.SourcePosition;
import io.gpufaas.core.contract.Timing;
import io.gpufaas.testkit.EmbeddedKafka;
import io.gpufaas.testkit.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client against a real broker and a stand-in for the job that echoes text (and stays silent
 * for "silent"), and writes a result for an id nobody asked about before each real one.
 */
class GpuFaasClientTest {

    @RegisterExtension
    static final KafkaBrokerExtension BROKER = new KafkaBrokerExtension();

    private static int run;
    private final List<Invocation> seen = new CopyOnWriteArrayList<>();
    private Thread responder;
    private volatile boolean stop;

    private String[] topics() {
        run++;
        String inv = "c" + run + "-inv";
        String res = "c" + run + "-res";
        String dlq = "c" + run + "-dlq";
        BROKER.kafka().createTopics(2, inv, res, dlq);
        startResponder(BROKER.kafka(), inv, res, dlq);
        return new String[] {inv, res, dlq};
    }

    private void startResponder(EmbeddedKafka kafka, String inv, String res, String dlq) {
        InvocationDecoder decoder = new InvocationDecoder(FunctionCatalog.of(List.of(
                new FunctionSpec("echo", EnumSet.allOf(InputKind.class), null))), DecodeLimits.defaults());
        responder = new Thread(() -> {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer()); KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
                List<TopicPartition> parts = consumer.partitionsFor(inv).stream()
                        .map(i -> new TopicPartition(inv, i.partition())).toList();
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                while (!stop) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        DecodeOutcome o = decoder.decode(new RawRecord(new SourcePosition(inv, r.partition(), r.offset(),
                                r.timestamp()), r.key(), r.value()));
                        if (o instanceof DecodeOutcome.Rejected rejected) {
                            producer.send(new ProducerRecord<>(dlq, r.key(), EventJson.encodeDeadLetter(rejected.deadLetter())));
                            continue;
                        }
                        Invocation i = ((DecodeOutcome.Accepted) o).invocation();
                        seen.add(i);
                        if (i.input().textValue().equals("silent")) {
                            continue;
                        }
                        InvocationResult other = InvocationResult.ok(new Invocation("someone-else", "echo",
                                i.input(), Invocation.NO_DEADLINE, Map.of(), null), "{}", Timing.none(), Placement.nowhere(), 1);
                        producer.send(new ProducerRecord<>(res, "someone-else".getBytes(StandardCharsets.UTF_8),
                                EventJson.encodeResult(other)));
                        InvocationResult ok = InvocationResult.ok(i, "{\"text\":\"" + i.input().textValue() + "\"}",
                                Timing.none(), new Placement(0, "cpu:0", true), System.currentTimeMillis());
                        producer.send(new ProducerRecord<>(res, i.id().getBytes(StandardCharsets.UTF_8),
                                EventJson.encodeResult(ok)));
                        if (i.input().textValue().equals("twice")) { // as an at-least-once job after a failover
                            InvocationResult again = InvocationResult.ok(i, "{\"text\":\"again\"}", Timing.none(),
                                    new Placement(1, "cpu:1", false), System.currentTimeMillis());
                            producer.send(new ProducerRecord<>(res, i.id().getBytes(StandardCharsets.UTF_8),
                                    EventJson.encodeResult(again)));
                        }
                    }
                    producer.flush();
                }
            }
        }, "fake-job");
        responder.setDaemon(true);
        responder.start();
    }

    @AfterEach
    void stopResponder() throws InterruptedException {
        stop = true;
        if (responder != null) {
            responder.join(10_000);
        }
    }

    private GpuFaasClient client(String[] topics, int maxInFlight, Duration timeout) {
        return GpuFaasClient.builder().bootstrapServers(BROKER.kafka().bootstrapServers()).topics(topics[0], topics[1], topics[2])
                .maxInFlight(maxInFlight).timeout(timeout).build();
    }

    @Test
    void everyFutureGetsItsOwnResult() throws Exception {
        String[] topics = topics();
        try (GpuFaasClient client = client(topics, 64, Duration.ofSeconds(30))) {
            List<CompletableFuture<InvocationResult>> futures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                futures.add(client.invoke("echo", Input.text("hello " + i), Duration.ofSeconds(30), Map.of("n", "" + i)));
            }
            for (int i = 0; i < 50; i++) {
                InvocationResult r = futures.get(i).get(30, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(ResultStatus.OK);
                assertThat(r.outputJson()).isEqualTo("{\"text\":\"hello " + i + "\"}");
                assertThat(r.metadata()).containsEntry("n", "" + i);
            }
            assertThat(client.inFlight()).isZero();
        }
    }

    /** At-least-once results repeat after a failover; the caller sees each invocation answered once. */
    @Test
    void aResultWrittenTwiceCompletesItsFutureOnce() throws Exception {
        String[] topics = topics();
        try (GpuFaasClient client = client(topics, 4, Duration.ofSeconds(30))) {
            InvocationResult first = client.invoke("echo", Input.text("twice")).get(30, TimeUnit.SECONDS);
            assertThat(first.outputJson()).isEqualTo("{\"text\":\"twice\"}");
            // The repeat arrives after the future completed: it completes nothing else and breaks nothing.
            InvocationResult next = client.invoke("echo", Input.text("after")).get(30, TimeUnit.SECONDS);
            assertThat(next.outputJson()).isEqualTo("{\"text\":\"after\"}");
            assertThat(client.inFlight()).isZero();
        }
    }

    @Test
    void theTimeoutIsTheDeadlineAndNoResultFailsTheFuture() throws Exception {
        String[] topics = topics();
        try (GpuFaasClient client = client(topics, 4, Duration.ofMillis(300))) {
            long before = System.currentTimeMillis();
            CompletableFuture<InvocationResult> f = client.invoke("echo", Input.text("silent"));
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
            assertThat(seen).singleElement().satisfies(i -> assertThat(i.deadlineMs()).isBetween(before + 300,
                    System.currentTimeMillis()));
        }
    }

    @Test
    void atMostMaxInFlightAreOutstandingAndCloseFailsTheRest() throws Exception {
        String[] topics = topics();
        GpuFaasClient client = client(topics, 2, Duration.ofSeconds(60));
        CompletableFuture<InvocationResult> a = client.invoke("echo", Input.text("silent"));
        CompletableFuture<InvocationResult> b = client.invoke("echo", Input.text("silent"));
        CompletableFuture<CompletableFuture<InvocationResult>> third = new CompletableFuture<>();
        Thread caller = new Thread(() -> third.complete(client.invoke("echo", Input.text("silent"))), "third-caller");
        caller.start();
        // The third caller is held back while two are outstanding: its thread parks inside invoke.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (caller.getState() != Thread.State.WAITING && caller.getState() != Thread.State.TIMED_WAITING
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(caller.getState()).isIn(Thread.State.WAITING, Thread.State.TIMED_WAITING);
        assertThat(third).isNotDone();
        assertThat(client.inFlight()).isEqualTo(2);

        client.close();
        assertThat(a).isCompletedExceptionally();
        assertThat(b).isCompletedExceptionally();
        // Closing freed the slots: the waiting caller got through to a closed client.
        assertThat(third.handle((f, e) -> e != null || f.isCompletedExceptionally()).get(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aRefusedInvocationFailsAtOnceWithItsReason() throws Exception {
        String[] topics = topics();
        try (GpuFaasClient client = client(topics, 4, Duration.ofSeconds(60))) {
            CompletableFuture<InvocationResult> f = client.invoke("no-such-function", Input.text("x"));
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(RejectedException.class)
                    .cause().satisfies(e -> assertThat(((RejectedException) e).reason())
                            .isEqualTo(io.gpufaas.core.contract.ErrorCode.UNKNOWN_FUNCTION));
        }
    }

    @Test
    void tensorsAreCheckedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> Input.tensor(new long[] {1, 4}, new float[3])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GpuFaasClient.builder().build()).hasMessageContaining("bootstrap");
    }
}
