package io.gpufaas.client;

import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.SourcePosition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request-reply access to gpufaas: {@link #invoke} writes an invocation and returns a future of
 * its result. One consumer thread reads the results topic and completes futures by invocation id;
 * results of other clients are skipped by their key without being parsed. It also reads the
 * dead-letter topic, so an invocation the job refused (an unknown function, a bad input) fails at
 * once with a {@link RejectedException} carrying the reason, instead of waiting for its timeout. At most
 * {@code maxInFlight} invocations are outstanding: {@code invoke} blocks the caller beyond that
 * (back-pressure). A timeout becomes the invocation's deadline, so the job drops work nobody waits
 * for; if no result arrives by then (the job is down), the future fails with a
 * {@link TimeoutException}. Thread-safe; {@link #close()} fails whatever is still pending.
 */
public final class GpuFaasClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GpuFaasClient.class);
    /** How long after its deadline a result may still be on its way (an EXPIRED result, say). */
    private static final long GRACE_MS = 2_000;

    private final Builder settings;
    private final String idPrefix = "c-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, CompletableFuture<InvocationResult>> pending = new ConcurrentHashMap<>();
    private final Semaphore inFlight;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread reader;
    private final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gpufaas-client-timeouts");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    private GpuFaasClient(Builder b) {
        this.settings = b;
        this.inFlight = new Semaphore(b.maxInFlight);
        Properties p = new Properties();
        p.putAll(b.kafka);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "1");
        p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        c.putAll(b.kafka);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        // Every partition from its current end, resolved now: a result can only follow its invocation.
        List<TopicPartition> partitions = new java.util.ArrayList<>();
        for (String topic : List.of(b.resultsTopic, b.deadLettersTopic)) {
            List<TopicPartition> of = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            if (of.isEmpty()) {
                consumer.close();
                producer.close();
                throw new IllegalStateException("topic '" + topic + "' does not exist at " + b.bootstrapServers);
            }
            partitions.addAll(of);
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        this.reader = new Thread(this::readResults, "gpufaas-client-results");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Invokes {@code function} with the client's default timeout and no metadata. */
    public CompletableFuture<InvocationResult> invoke(String function, Input input) {
        return invoke(function, input, settings.timeout, Map.of());
    }

    /**
     * Invokes {@code function}. Blocks while {@code maxInFlight} invocations are outstanding. The
     * future completes with the result (OK, ERROR or EXPIRED), or fails with a
     * {@link TimeoutException} when none came within {@code timeout}, or with an exception if
     * the invocation could not be sent.
     */
    public CompletableFuture<InvocationResult> invoke(String function, Input input, Duration timeout,
            Map<String, String> metadata) {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(input, "input");
        if (closed) {
            throw new IllegalStateException("the client is closed");
        }
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
        String id = idPrefix + sequence.incrementAndGet();
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        CompletableFuture<InvocationResult> future = new CompletableFuture<>();
        future.whenComplete((r, e) -> inFlight.release());
        pending.put(id, future);
        byte[] value = EventJson.encodeInvocation(new Invocation(id, function, input.payload(), deadline, metadata,
                SourcePosition.unknown()));
        try {
            producer.send(new ProducerRecord<>(settings.invocationsTopic, id.getBytes(StandardCharsets.UTF_8), value),
                    (meta, error) -> {
                        if (error != null) {
                            fail(id, error);
                        }
                    });
        } catch (RuntimeException e) {
            fail(id, e);
            return future;
        }
        timeouts.schedule(() -> fail(id, new TimeoutException("no result for invocation " + id + " of " + function
                + " within " + timeout.toMillis() + " ms")), timeout.toMillis() + GRACE_MS, TimeUnit.MILLISECONDS);
        return future;
    }

    /** Invocations sent whose result has not come yet. */
    public int inFlight() {
        return pending.size();
    }

    private void fail(String id, Throwable error) {
        CompletableFuture<InvocationResult> f = pending.remove(id);
        if (f != null) {
            f.completeExceptionally(error);
        }
    }

    private void readResults() {
        try {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.key() == null) {
                        continue;
                    }
                    // Only this client's ids are parsed: others' results cost a map lookup.
                    CompletableFuture<InvocationResult> f = pending.remove(new String(r.key(), StandardCharsets.UTF_8));
                    if (f == null) {
                        continue;
                    }
                    try {
                        if (r.topic().equals(settings.resultsTopic)) {
                            f.complete(EventJson.decodeResult(r.value()));
                        } else {
                            DeadLetter d = EventJson.decodeDeadLetter(r.value());
                            f.completeExceptionally(new RejectedException(d.reason(), d.message()));
                        }
                    } catch (RuntimeException e) {
                        f.completeExceptionally(e);
                    }
                }
            }
        } catch (WakeupException e) {
            // close() woke us
        } catch (RuntimeException e) {
            LOG.error("the results reader stopped", e);
        } finally {
            consumer.close();
        }
    }

    /** Stops reading results and fails every invocation still waiting for one. */
    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
        timeouts.shutdownNow();
        for (String id : List.copyOf(pending.keySet())) {
            fail(id, new IllegalStateException("the client was closed before invocation " + id + " completed"));
        }
    }

    /** Where the job is and how the client behaves; {@link #build()} checks it. */
    public static final class Builder {
        private String bootstrapServers;
        private String invocationsTopic = "gpufaas.invocations";
        private String resultsTopic = "gpufaas.results";
        private String deadLettersTopic = "gpufaas.dead-letters";
        private int maxInFlight = 256;
        private Duration timeout = Duration.ofSeconds(30);
        private final Properties kafka = new Properties();

        private Builder() {}

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        /**
         * The job's topics (defaults: {@code gpufaas.invocations}, {@code gpufaas.results},
         * {@code gpufaas.dead-letters}).
         */
        public Builder topics(String invocations, String results, String deadLetters) {
            this.invocationsTopic = invocations;
            this.resultsTopic = results;
            this.deadLettersTopic = deadLetters;
            return this;
        }

        /** Invocations outstanding at once before {@code invoke} blocks (default 256). */
        public Builder maxInFlight(int n) {
            this.maxInFlight = n;
            return this;
        }

        /** Timeout of {@link GpuFaasClient#invoke(String, Input)} (default 30 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Any Kafka client property (security, say), for both the producer and the consumer. */
        public Builder kafkaProperty(String key, String value) {
            kafka.setProperty(key, value);
            return this;
        }

        public GpuFaasClient build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrap servers are required");
            }
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("max in flight must be positive, was " + maxInFlight);
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            Objects.requireNonNull(invocationsTopic, "invocations topic");
            Objects.requireNonNull(resultsTopic, "results topic");
            Objects.requireNonNull(deadLettersTopic, "dead-letters topic");
            return new GpuFaasClient(this);
        }
    }
}
