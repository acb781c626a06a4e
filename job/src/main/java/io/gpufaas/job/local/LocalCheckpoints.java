package io.gpufaas.job.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;

/**
 * The local demo's checkpoints, kept across runs: a stop of {@code run-local.sh} (Ctrl-C, or the
 * demo's own end) must not lose the invocations waiting in the router, whose Kafka offsets are
 * already committed. Checkpoints are retained on cancellation in {@code <work>/checkpoints}, and
 * the next run resumes from the newest one: its queue, its view and the source offsets, so what
 * was accepted and not answered is answered.
 */
final class LocalCheckpoints {

    private LocalCheckpoints() {}

    /** The newest completed checkpoint under {@code dir} ({@code <job>/chk-<n>/_metadata}), if any. */
    static Optional<Path> latest(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.find(dir, 3, (p, a) -> p.getFileName().toString().equals("_metadata")
                && p.getParent().getFileName().toString().startsWith("chk-"))) {
            return files.max(Comparator.comparingLong(LocalCheckpoints::modified)).map(Path::getParent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look for checkpoints in " + dir, e);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Sets {@code flink} to retain checkpoints in {@code dir} and, unless {@code fresh}, to resume
     * from the newest one. Returns the checkpoint resumed from.
     */
    static Optional<Path> configure(Configuration flink, Path dir, boolean fresh) {
        Path absolute = dir.toAbsolutePath().normalize();
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, absolute.toUri().toString());
        flink.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (fresh) {
            return Optional.empty();
        }
        Optional<Path> latest = latest(absolute);
        latest.ifPresent(chk -> {
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, chk.toUri().toString());
            // A demo's state from an older build may hold an operator this build no longer has.
            flink.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        });
        return latest;
    }
}
