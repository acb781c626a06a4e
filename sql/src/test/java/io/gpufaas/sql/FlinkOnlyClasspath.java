package io.gpufaas.sql;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * This test JVM's classpath without gpufaas and what the connector jar bundles (Jackson, the Kafka
 * client and its compression codecs) or the tests bring: Flink and what Flink brings, which is
 * what a Flink SQL client or task manager has before the connector jar is added.
 */
final class FlinkOnlyClasspath {

    private static final Pattern NOT_FLINKS =
            Pattern.compile("(gpufaas-|jackson-|kafka|zstd-jni|lz4-java|snappy-java|junit|assertj).*");

    private FlinkOnlyClasspath() {}

    static List<Path> jars() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of)
                .filter(Files::isRegularFile) // module output folders (gpufaas' own classes) are not jars
                .filter(p -> !NOT_FLINKS.matcher(p.getFileName().toString()).matches())
                .toList();
    }
}
