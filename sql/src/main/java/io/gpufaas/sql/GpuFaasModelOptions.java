package io.gpufaas.sql;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** The options of {@code CREATE MODEL ... WITH ('provider' = 'gpufaas', ...)}, with their defaults. */
public final class GpuFaasModelOptions {

    private GpuFaasModelOptions() {}

    public static final ConfigOption<String> FUNCTION = key("function").stringType().noDefaultValue()
            .withDescription("The gpufaas function every row invokes.");

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = key("bootstrap-servers").stringType().noDefaultValue()
            .withDescription("The Kafka cluster the gpufaas job reads and writes.");

    public static final ConfigOption<String> INVOCATIONS_TOPIC = key("topic.invocations").stringType()
            .defaultValue("gpufaas.invocations").withDescription("The job's invocations topic.");

    public static final ConfigOption<String> RESULTS_TOPIC = key("topic.results").stringType()
            .defaultValue("gpufaas.results").withDescription("The job's results topic.");

    public static final ConfigOption<String> DEAD_LETTERS_TOPIC = key("topic.dead-letters").stringType()
            .defaultValue("gpufaas.dead-letters").withDescription("The job's dead-letter topic.");

    public static final ConfigOption<Duration> TIMEOUT = key("timeout").durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("Each row's deadline: the job drops work nobody waits for, and the row ends EXPIRED.");

    public static final ConfigOption<Integer> MAX_IN_FLIGHT = key("max-in-flight").intType().defaultValue(256)
            .withDescription("Rows invoked and not answered at once, per subtask; beyond it the query is back-pressured.");

    public static final ConfigOption<String> TENSOR_SHAPE = key("tensor.shape").stringType().noDefaultValue()
            .withDescription("Shape of an ARRAY<FLOAT> input, e.g. '1,4'; default: one row of the array's length.");

    public static final ConfigOption<String> ON_ERROR = key("on-error").stringType().defaultValue("row")
            .withDescription("'row': an ERROR, EXPIRED or refused invocation is a row with its status and error; "
                    + "'fail': it fails the query.");
}
