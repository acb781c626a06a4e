package io.gpufaas.job.kafka;

import java.util.Properties;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;

/**
 * How every source of the job reads Kafka: the one builder chain, for the invocation and control
 * topics ({@code KafkaIo}) and the feedback loop ({@code FeedbackChannel}) alike. Plain values
 * in, so that both can use it without depending on each other.
 */
public final class KafkaSources {

    private KafkaSources() {}

    /** {@code topic} read as consumer group {@code groupId} from {@code start}, with client properties {@code props}. */
    public static <T> KafkaSource<T> of(String bootstrapServers, String topic, String groupId, OffsetsInitializer start,
            KafkaRecordDeserializationSchema<T> deserializer, Properties props) {
        return KafkaSource.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(start)
                .setDeserializer(deserializer)
                .setProperties(props)
                .build();
    }
}
