package io.gpufaas.bench;

import io.gpufaas.job.JobConfig;
import io.gpufaas.testkit.EmbeddedKafka;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** A job of the benchmarks that run the real pipeline: its own five topics on the embedded broker, CPU workers. */
final class BenchJob {

    private BenchJob() {}

    /**
     * Creates {@code name}'s topics ({@code name-inv}, {@code -res}, {@code -dlq}, {@code -st},
     * {@code -ctl}) with {@code workers} partitions and returns the job's settings for them.
     */
    static Configuration conf(EmbeddedKafka kafka, String name, Path repo, int workers) throws Exception {
        kafka.createTopics(workers, name + "-inv", name + "-res", name + "-dlq", name + "-st", name + "-ctl");
        return JobConfig.fromArgs(new Configuration(),
                "--gpufaas.kafka.bootstrap-servers", kafka.bootstrapServers(),
                "--gpufaas.kafka.topic.invocations", name + "-inv",
                "--gpufaas.kafka.topic.results", name + "-res",
                "--gpufaas.kafka.topic.dead-letters", name + "-dlq",
                "--gpufaas.kafka.topic.worker-status", name + "-st",
                "--gpufaas.kafka.topic.control", name + "-ctl",
                "--gpufaas.kafka.group-id", name,
                "--gpufaas.functions.repository", repo.toAbsolutePath().toString(),
                "--gpufaas.device.kind", "CPU",
                "--gpufaas.worker.parallelism", Integer.toString(workers));
    }

    /** A client producer that sends each record at once. */
    static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
