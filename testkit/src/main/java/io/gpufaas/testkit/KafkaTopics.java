package io.gpufaas.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Creates the job's topics in one JVM, for {@code scripts/kafka.sh start}: waits until the broker
 * answers, then creates whatever is missing, and waits until every topic is listed.
 *
 * <pre>java io.gpufaas.testkit.KafkaTopics BOOTSTRAP PARTITIONS "t1 t2 ..." "compacted1 ..."</pre>
 */
public final class KafkaTopics {

    private KafkaTopics() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: KafkaTopics BOOTSTRAP PARTITIONS \"TOPICS\" \"COMPACTED_TOPICS\"");
            System.exit(2);
        }
        int partitions = Integer.parseInt(args[1]);
        List<NewTopic> wanted = new ArrayList<>();
        for (String t : args[2].trim().split("\\s+")) {
            if (!t.isEmpty()) {
                wanted.add(new NewTopic(t, partitions, (short) 1));
            }
        }
        for (String t : args[3].trim().split("\\s+")) {
            if (!t.isEmpty()) {
                // Compacted: keeps each key's latest record (the control topic: each function's last command).
                wanted.add(new NewTopic(t, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")));
            }
        }
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        try (Admin admin = Admin.create(p)) {
            listWhenReady(admin);
        }
        KafkaBroker.at(args[0]).createTopics(wanted);
        System.out.println("topics ready: " + wanted.stream().map(NewTopic::name).toList());
    }

    private static Set<String> listWhenReady(Admin admin) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return admin.listTopics().names().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker did not answer within 60 s", e);
                }
            }
        }
    }
}
