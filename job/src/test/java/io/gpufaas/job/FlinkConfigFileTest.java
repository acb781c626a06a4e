package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.junit.jupiter.api.Test;

/**
 * {@code flink-conf/config.yaml} sets only options this Flink knows: Flink ignores an unknown key
 * without a word (Flink 2 dropped {@code cluster.evenly-spread-out-slots}, and a cluster given
 * it silently packed the job's slots onto one task manager).
 */
class FlinkConfigFileTest {

    @Test
    void everyKeyInTheClustersConfigIsAnOptionFlinkKnows() throws Exception {
        Configuration conf = GlobalConfiguration.loadConfiguration(Path.of("..", "flink-conf").toString());
        Set<String> known = knownKeys();
        GpuFaasOptions.all().forEach(o -> known.add(o.key()));
        // PrometheusReporterFactory.ARG_PORT: a plain string in the reporter, not a ConfigOption.
        known.add("port");
        assertThat(known).contains("taskmanager.load-balance.mode", "execution.buffer-timeout.interval");
        assertThat(conf.keySet()).isNotEmpty();
        assertThat(conf.keySet()).allSatisfy(key -> assertThat(known).as("option '%s' in flink-conf/config.yaml", key)
                .contains(reporterOption(key)));
        assertThat(conf.toMap()).containsEntry("metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(conf.toMap()).containsEntry("taskmanager.load-balance.mode", "SLOTS");
    }

    /**
     * A reporter's keys name the reporter ({@code metrics.reporter.prom.factory.class}): Flink
     * declares their rest ({@code factory.class}) in MetricOptions, without the prefix.
     */
    private static String reporterOption(String key) {
        String prefix = "metrics.reporter.";
        if (!key.startsWith(prefix) || key.indexOf('.', prefix.length()) < 0) {
            return key;
        }
        String option = key.substring(key.indexOf('.', prefix.length()) + 1);
        return option;
    }

    private static Set<String> knownKeys() throws IOException, URISyntaxException {
        return new HashSet<>(options().keySet());
    }

    /** Each value in the file parses as its option's type ("1 s" for a Duration, not a bare number of ms). */
    @Test
    void everyValueParsesAsItsOptionsType() throws Exception {
        Configuration conf = GlobalConfiguration.loadConfiguration(Path.of("..", "flink-conf").toString());
        Map<String, ConfigOption<?>> options = options();
        List<String> typed = conf.keySet().stream().filter(options::containsKey).toList();
        assertThat(typed).contains("heartbeat.interval", "restart-strategy.exponential-delay.initial-backoff");
        assertThat(typed).allSatisfy(key -> assertThat(conf.get(options.get(key))).as(key).isNotNull());
        assertThat(conf.get(HeartbeatManagerOptions.HEARTBEAT_INTERVAL)).isEqualTo(Duration.ofSeconds(1));
    }

    /** Every key (and fallback key) of the ConfigOption constants in flink-core's configuration package, with its option. */
    private static Map<String, ConfigOption<?>> options() throws IOException, URISyntaxException {
        Map<String, ConfigOption<?>> keys = new HashMap<>();
        Path jar = Path.of(CoreOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarFile file = new JarFile(jar.toFile())) {
            List<String> classes = file.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("org/apache/flink/configuration/") && n.endsWith("Options.class"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                    .toList();
            for (String name : classes) {
                try {
                    for (Field f : Class.forName(name).getFields()) {
                        if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                            ConfigOption<?> option = (ConfigOption<?>) f.get(null);
                            keys.put(option.key(), option);
                            for (FallbackKey k : option.fallbackKeys()) {
                                keys.put(k.getKey(), option);
                            }
                        }
                    }
                } catch (ReflectiveOperationException | LinkageError e) {
                    // an options class needing what this classpath lacks: its keys are not used here
                }
            }
        }
        return keys;
    }
}
