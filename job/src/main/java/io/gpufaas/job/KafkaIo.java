package io.gpufaas.job;

import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.RawRecord;
import io.gpufaas.job.kafka.KafkaSources;
import io.gpufaas.operators.kafka.DeadLetterSerializer;
import io.gpufaas.operators.kafka.RawRecordDeserializer;
import io.gpufaas.operators.kafka.ResultSerializer;
import java.util.Properties;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The job's Kafka source and sinks, built from {@link GpuFaasOptions}. */
public final class KafkaIo {

    private KafkaIo() {}

    @SuppressWarnings("deprecation") // OffsetResetStrategy: the connector's API still takes it
    public static KafkaSource<RawRecord> invocationSource(Configuration conf) {
        OffsetsInitializer start = switch (conf.get(GpuFaasOptions.STARTING_OFFSETS)) {
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
        };
        Properties props = JobConfig.kafkaProperties(conf);
        // Only committed results of upstream transactional producers are invocations.
        props.putIfAbsent("isolation.level", "read_committed");
        return source(conf, GpuFaasOptions.INVOCATIONS_TOPIC, "", start, new RawRecordDeserializer(), props);
    }

    /**
     * The control topic, compacted and keyed by function: read from the start, so every
     * deployment since the topic began is replayed into the broadcast state.
     */
    public static KafkaSource<RawRecord> controlSource(Configuration conf) {
        return source(conf, GpuFaasOptions.CONTROL_TOPIC, "-control", OffsetsInitializer.earliest(),
                new RawRecordDeserializer(), JobConfig.kafkaProperties(conf));
    }

    /** One of the job's sources: {@code topic} read as the job's group (plus {@code groupSuffix}). */
    private static <T> KafkaSource<T> source(Configuration conf, ConfigOption<String> topic, String groupSuffix,
            OffsetsInitializer start, KafkaRecordDeserializationSchema<T> deserializer, Properties props) {
        return KafkaSources.of(conf.get(GpuFaasOptions.BOOTSTRAP_SERVERS), conf.get(topic),
                conf.get(GpuFaasOptions.GROUP_ID) + groupSuffix, start, deserializer, props);
    }

    /**
     * Results, each fitted to {@code limits.results()} bytes (see {@link ResultSerializer}).
     * {@code name} tells the job's two result writers apart (their transactional ids under
     * exactly-once): the workers' and the router's.
     */
    public static KafkaSink<InvocationResult> resultSink(Configuration conf, OutputLimits limits, String name) {
        return sink(conf, new ResultSerializer(conf.get(GpuFaasOptions.RESULTS_TOPIC), limits.results()), name);
    }

    /** Dead letters, each fitted to {@code limits.deadLetters()} bytes (see {@link DeadLetterSerializer}). */
    public static KafkaSink<DeadLetter> deadLetterSink(Configuration conf, OutputLimits limits) {
        return sink(conf, new DeadLetterSerializer(conf.get(GpuFaasOptions.DEAD_LETTERS_TOPIC), limits.deadLetters()),
                "dead-letters");
    }

    private static <T> KafkaSink<T> sink(
            Configuration conf, KafkaRecordSerializationSchema<T> serializer, String name) {
        DeliveryGuarantee guarantee = conf.get(GpuFaasOptions.DELIVERY_GUARANTEE);
        Properties props = JobConfig.kafkaProperties(conf);
        // Kafka 4 producers wait 5 ms for a batch to fill by default; a result should leave at
        // once (batches still form while a request is in flight). scripts/bench-pipeline.sh
        // measures the difference; a user's own linger.ms wins.
        props.putIfAbsent("linger.ms", "0");
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            // Must outlast the longest checkpoint interval plus a restart, within the broker's
            // transaction.max.timeout.ms (15 minutes by default).
            props.putIfAbsent("transaction.timeout.ms", "900000");
        }
        return KafkaSink.<T>builder()
                .setBootstrapServers(conf.get(GpuFaasOptions.BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(props)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(conf.get(GpuFaasOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name)
                .build();
    }
}
