package io.gpufaas.job;

import io.gpufaas.testkit.KafkaBroker;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/** The five topics one job under test uses, created on the test broker, and the options naming them. */
record JobTopics(KafkaBroker kafka, String invocations, String results, String deadLetters, String status, String control) {

    static JobTopics create(KafkaBroker kafka, String prefix, int partitions) {
        JobTopics t = new JobTopics(kafka, prefix + "-inv", prefix + "-res", prefix + "-dlq", prefix + "-st", prefix + "-ctl");
        kafka.createTopics(partitions, t.invocations, t.results, t.deadLetters, t.status, t.control);
        return t;
    }

    /** The job's configuration for these topics, plus {@code extra} {@code --key value} arguments. */
    Configuration config(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--gpufaas.kafka.bootstrap-servers", kafka.bootstrapServers(),
                "--gpufaas.kafka.topic.invocations", invocations,
                "--gpufaas.kafka.topic.results", results,
                "--gpufaas.kafka.topic.dead-letters", deadLetters,
                "--gpufaas.kafka.topic.worker-status", status,
                "--gpufaas.kafka.topic.control", control));
        args.addAll(List.of(extra));
        return JobConfig.fromArgs(new Configuration(), args.toArray(String[]::new));
    }
}
