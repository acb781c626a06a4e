package io.gpufaas.job;

import io.gpufaas.core.contract.OutputFit;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The most bytes one record may take on each topic the job writes: the smaller of the topic's
 * {@code max.message.bytes} (read from the broker) and the producer's {@code max.request.size}.
 * Read once, before the job starts; a job whose topics are missing or too small to hold even a
 * reduced record ({@link OutputFit#MIN_RECORD_BYTES}) is refused with every problem listed.
 */
public record OutputLimits(int results, int deadLetters, int status) implements Serializable {

    private static final Logger LOG = LoggerFactory.getLogger(OutputLimits.class);
    private static final long TIMEOUT_SECONDS = 30;
    private static final long MISSING_TOPIC_GRACE_SECONDS = 5;

    /** Kafka's default {@code max.request.size}, for a producer that does not set one. */
    static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

    /** Without asking the broker: every topic is assumed to take what the producer may send. */
    static OutputLimits assumed(Configuration conf) {
        int producer = producerMaxRequestSize(conf);
        return new OutputLimits(producer, producer, producer);
    }

    /**
     * Asks the broker (unless {@link GpuFaasOptions#CHECK_TOPICS} is off). Throws
     * {@link IllegalStateException} naming each missing topic and each limit that cannot hold.
     */
    static OutputLimits of(Configuration conf) {
        if (!conf.get(GpuFaasOptions.CHECK_TOPICS)) {
            OutputLimits assumed = assumed(conf);
            LOG.info("topic check disabled: assuming every output topic takes {}-byte records", assumed.results());
            return assumed;
        }
        Properties props = JobConfig.kafkaProperties(conf);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, conf.get(GpuFaasOptions.BOOTSTRAP_SERVERS));
        String results = conf.get(GpuFaasOptions.RESULTS_TOPIC);
        String deadLetters = conf.get(GpuFaasOptions.DEAD_LETTERS_TOPIC);
        String status = conf.get(GpuFaasOptions.STATUS_TOPIC);
        Set<String> all = new LinkedHashSet<>(List.of(conf.get(GpuFaasOptions.INVOCATIONS_TOPIC),
                conf.get(GpuFaasOptions.CONTROL_TOPIC), results, deadLetters, status));
        try (Admin admin = Admin.create(props)) {
            List<String> problems = new ArrayList<>();
            Set<String> existing = listTopics(admin, all);
            for (String topic : all) {
                if (!existing.contains(topic)) {
                    problems.add("topic '" + topic + "' does not exist (scripts/kafka.sh start creates the default topics)");
                }
            }
            if (!problems.isEmpty()) {
                throw refused(conf, problems);
            }
            Map<String, Integer> topicMax = maxMessageBytes(admin, List.of(results, deadLetters, status));
            int producer = producerMaxRequestSize(conf);
            OutputLimits limits = new OutputLimits(Math.min(producer, topicMax.get(results)),
                    Math.min(producer, topicMax.get(deadLetters)), Math.min(producer, topicMax.get(status)));
            check(results, limits.results, topicMax.get(results), producer, problems);
            check(deadLetters, limits.deadLetters, topicMax.get(deadLetters), producer, problems);
            check(status, limits.status, topicMax.get(status), producer, problems);
            if (!problems.isEmpty()) {
                throw refused(conf, problems);
            }
            LOG.info("output record limits: {} {} bytes, {} {} bytes, {} {} bytes", results, limits.results,
                    deadLetters, limits.deadLetters, status, limits.status);
            return limits;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the topics' limits from Kafka at "
                    + conf.get(GpuFaasOptions.BOOTSTRAP_SERVERS) + ": " + e.getCause().getMessage()
                    + " (set " + GpuFaasOptions.CHECK_TOPICS.key() + ": false to start without the check)", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + conf.get(GpuFaasOptions.BOOTSTRAP_SERVERS)
                    + " did not answer within " + TIMEOUT_SECONDS + " s; is it running? (set "
                    + GpuFaasOptions.CHECK_TOPICS.key() + ": false to start without the check)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the topics' limits", e);
        }
    }

    /**
     * The topics the cluster lists, asking again for a few seconds while some of {@code wanted}
     * are missing: a topic created just before the job (as scripts do) reaches every broker's
     * metadata a moment later.
     */
    private static Set<String> listTopics(Admin admin, Set<String> wanted)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MISSING_TOPIC_GRACE_SECONDS);
        while (true) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (existing.containsAll(wanted) || System.nanoTime() > deadline) {
                return existing;
            }
            Thread.sleep(200); // polling the cluster's metadata: there is nothing to wait on
        }
    }

    private static Map<String, Integer> maxMessageBytes(Admin admin, Collection<String> topics)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).distinct().toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<String, Integer> max = new java.util.HashMap<>();
        configs.forEach((resource, config) -> {
            ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (entry == null || entry.value() == null) {
                throw new UnknownTopicOrPartitionException("no " + TopicConfig.MAX_MESSAGE_BYTES_CONFIG + " for " + resource.name());
            }
            max.put(resource.name(), Integer.parseInt(entry.value()));
        });
        return max;
    }

    private static void check(String topic, int effective, int topicMax, int producer, List<String> problems) {
        if (effective < OutputFit.MIN_RECORD_BYTES) {
            problems.add("topic '" + topic + "' takes records of at most " + effective + " bytes (topic "
                    + TopicConfig.MAX_MESSAGE_BYTES_CONFIG + " " + topicMax + ", producer "
                    + ProducerConfig.MAX_REQUEST_SIZE_CONFIG + " " + producer + "); the job needs at least "
                    + OutputFit.MIN_RECORD_BYTES + " to write a truncated dead letter or a RESULT_TOO_LARGE result");
        }
    }

    private static IllegalStateException refused(Configuration conf, List<String> problems) {
        return new IllegalStateException("the job cannot start against Kafka at " + conf.get(GpuFaasOptions.BOOTSTRAP_SERVERS)
                + ":\n  - " + String.join("\n  - ", problems));
    }

    static int producerMaxRequestSize(Configuration conf) {
        String configured = JobConfig.kafkaProperties(conf).getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return configured == null ? DEFAULT_MAX_REQUEST_SIZE : Integer.parseInt(configured.trim());
    }
}
