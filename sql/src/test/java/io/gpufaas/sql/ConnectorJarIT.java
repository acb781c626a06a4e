package io.gpufaas.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpufaas.testkit.KafkaBrokerExtension;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.jar.JarFile;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shaded {@code gpufaas-sql-connector} jar works where a Flink user adds it: in a class loader
 * holding that jar and Flink's own jars only (no Jackson, no Kafka client, no gpufaas module), the
 * planner finds the {@code gpufaas} model provider, and the relocated client sends an invocation
 * the job can read. Runs after {@code package} (failsafe), since the jar is what it tests.
 */
class ConnectorJarIT {

    @RegisterExtension
    static final KafkaBrokerExtension BROKER = new KafkaBrokerExtension();

    static final Path JAR = Path.of("target", "gpufaas-sql-connector-0.1.0-SNAPSHOT.jar");

    @Test
    void bundlesItsDependenciesRelocatedAndNothingFlinkProvides() throws Exception {
        assertThat(JAR).exists();
        List<String> classes;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            classes = jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class")).toList();
        }
        assertThat(classes).contains("io/gpufaas/sql/GpuFaasModelProviderFactory.class",
                "io/gpufaas/client/GpuFaasClient.class",
                "io/gpufaas/shaded/com/fasterxml/jackson/databind/JsonNode.class",
                "io/gpufaas/shaded/org/apache/kafka/clients/producer/KafkaProducer.class");
        assertThat(classes).noneMatch(n -> n.startsWith("org/apache/flink/") || n.startsWith("com/fasterxml/")
                || n.startsWith("org/apache/kafka/") || n.startsWith("org/slf4j/"));
    }

    @Test
    void runsInAClassLoaderWithOnlyFlinkBesideIt() throws Exception {
        String bootstrap = BROKER.kafka().bootstrapServers();
        BROKER.kafka().createTopics(1, "jar-inv", "jar-res", "jar-dlq");
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(flinkOnlyClasspath(), ClassLoader.getPlatformClassLoader())) {
            // As in a task: Flink runs user code with its own class loader as the context's, and
            // the Kafka client loads its configured classes through that.
            Thread.currentThread().setContextClassLoader(loader);
            Class<?> factoryType = loader.loadClass("org.apache.flink.table.factories.Factory");
            List<String> identifiers = new ArrayList<>();
            for (Object factory : ServiceLoader.load(factoryType, loader)) {
                identifiers.add((String) factoryType.getMethod("factoryIdentifier").invoke(factory));
            }
            assertThat(identifiers).contains(GpuFaasModelProviderFactory.IDENTIFIER);

            Class<?> clientType = loader.loadClass("io.gpufaas.client.GpuFaasClient");
            Object builder = clientType.getMethod("builder").invoke(null);
            builder.getClass().getMethod("bootstrapServers", String.class).invoke(builder, bootstrap);
            builder.getClass().getMethod("topics", String.class, String.class, String.class)
                    .invoke(builder, "jar-inv", "jar-res", "jar-dlq");
            Object client = builder.getClass().getMethod("build").invoke(builder);
            try {
                Class<?> inputType = loader.loadClass("io.gpufaas.client.Input");
                Object input = inputType.getMethod("text", String.class).invoke(null, "hello from the connector jar");
                CompletableFuture<?> future = (CompletableFuture<?>) clientType
                        .getMethod("invoke", String.class, inputType, Duration.class, Map.class)
                        .invoke(client, "echo", input, Duration.ofSeconds(30), Map.of());
                Thread.currentThread().setContextClassLoader(previous); // the test's own Kafka client
                List<ConsumerRecord<byte[], byte[]>> sent =
                        BROKER.kafka().readUntil("jar-inv", r -> !r.isEmpty(), Duration.ofSeconds(30));
                assertThat(sent).hasSize(1);
                JsonNode invocation = new ObjectMapper().readTree(sent.get(0).value());
                assertThat(invocation.path("function").asText()).isEqualTo("echo");
                assertThat(invocation.path("input").path("text").asText()).isEqualTo("hello from the connector jar");
                assertThat(future).isNotDone(); // nobody answers here: the job is not running
            } finally {
                ((AutoCloseable) client).close();
            }
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    /** The connector jar and the Flink jars of this test's classpath: what a Flink SQL client has. */
    private static URL[] flinkOnlyClasspath() throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(JAR.toUri().toURL());
        for (Path jar : FlinkOnlyClasspath.jars()) {
            urls.add(jar.toUri().toURL());
        }
        return urls.toArray(URL[]::new);
    }
}
