package io.gpufaas.job;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * Builds the job's {@link Configuration} the Flink way: defaults, then a {@code config.yaml}, then
 * command-line arguments, each overriding the one before. Unknown {@code gpufaas.*} keys are
 * rejected by name, so a typo does not silently fall back to a default.
 */
public final class JobConfig {

    private JobConfig() {}

    /**
     * Reads {@code --config-dir DIR} (a directory holding {@code config.yaml}), then
     * {@code --key value} and {@code -Dkey=value} pairs.
     */
    public static Configuration fromArgs(Configuration base, String... args) {
        Configuration conf = new Configuration(base);
        Configuration fromArgs = new Configuration();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("-D") && arg.contains("=")) {
                int eq = arg.indexOf('=');
                fromArgs.setString(arg.substring(2, eq), arg.substring(eq + 1));
            } else if (arg.startsWith("--")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("argument " + arg + " needs a value");
                }
                String key = arg.substring(2);
                String value = args[++i];
                if (key.equals("config-dir")) {
                    Path dir = Path.of(value);
                    if (!Files.isRegularFile(dir.resolve("config.yaml"))) {
                        throw new IllegalArgumentException("--config-dir " + dir + " holds no config.yaml");
                    }
                    conf.addAll(GlobalConfiguration.loadConfiguration(dir.toString()));
                } else {
                    fromArgs.setString(key, value);
                }
            } else {
                throw new IllegalArgumentException("unexpected argument '" + arg
                        + "': use --key value, -Dkey=value or --config-dir DIR");
            }
        }
        conf.addAll(fromArgs);
        validate(conf);
        return conf;
    }

    static void validate(Configuration conf) {
        Set<String> known = new HashSet<>();
        for (ConfigOption<?> option : GpuFaasOptions.all()) {
            known.add(option.key());
        }
        for (String key : conf.keySet()) {
            if (key.startsWith("gpufaas.") && !key.startsWith(GpuFaasOptions.KAFKA_PROPERTIES_PREFIX)
                    && !known.contains(key)) {
                throw new IllegalArgumentException("unknown option '" + key + "'" + nearest(key, known)
                        + " (docs/configuration.md lists every option)");
            }
        }
        for (ConfigOption<?> option : GpuFaasOptions.all()) {
            conf.get(option); // fails with the key's name on a value of the wrong type
        }
    }

    /** ": did you mean 'x'?" for the known key closest to {@code key} in edits, if any is close. */
    static String nearest(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = editDistance(key, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(3, key.length() / 3) ? "; did you mean '" + best + "'?" : "";
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    /** Kafka client properties given as {@code gpufaas.kafka.properties.<kafka key>}. */
    public static Properties kafkaProperties(Configuration conf) {
        Properties props = new Properties();
        for (String key : conf.keySet()) {
            if (key.startsWith(GpuFaasOptions.KAFKA_PROPERTIES_PREFIX)) {
                props.setProperty(key.substring(GpuFaasOptions.KAFKA_PROPERTIES_PREFIX.length()),
                        conf.getString(key, ""));
            }
        }
        return props;
    }
}
