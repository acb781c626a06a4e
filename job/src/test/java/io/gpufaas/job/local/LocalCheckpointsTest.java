package io.gpufaas.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run-local.sh resumes from the newest completed checkpoint of any earlier run, unless told --fresh. */
class LocalCheckpointsTest {

    @Test
    void resumesFromTheNewestCompletedCheckpointAndRetainsNewOnes(@TempDir Path dir) throws Exception {
        Path older = checkpoint(dir, "job-a", 7, 1_000);
        Path newer = checkpoint(dir, "job-b", 3, 2_000);
        Files.createDirectories(dir.resolve("job-b").resolve("chk-4")); // in progress: no _metadata yet

        Configuration flink = new Configuration();
        assertThat(LocalCheckpoints.configure(flink, dir, false)).contains(newer);
        assertThat(flink.get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo(newer.toUri().toString());
        assertThat(flink.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(older).isNotEqualTo(newer);

        Configuration fresh = new Configuration();
        assertThat(LocalCheckpoints.configure(fresh, dir, true)).isEmpty();
        assertThat(fresh.getOptional(StateRecoveryOptions.SAVEPOINT_PATH)).isEmpty();
        assertThat(LocalCheckpoints.latest(dir.resolve("none"))).isEmpty();
    }

    private static Path checkpoint(Path dir, String job, int n, long modifiedMs) throws Exception {
        Path chk = Files.createDirectories(dir.resolve(job).resolve("chk-" + n));
        Path metadata = Files.writeString(chk.resolve("_metadata"), "x");
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(modifiedMs));
        return chk;
    }
}
