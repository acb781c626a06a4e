package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/submit.sh resume} runs with the options of the last submit: an exactly-once job
 * stopped with a savepoint resumes exactly-once without its options repeated. Flink's CLI is
 * replaced by a script that records its arguments.
 */
class SubmitScriptTest {

    @Test
    void resumeCarriesTheOptionsOfTheLastSubmit(@TempDir Path dir) throws Exception {
        Path calls = dir.resolve("calls.txt");
        Path flink = dir.resolve("flink");
        Files.writeString(flink, "#!/usr/bin/env bash\necho \"$*\" >> '" + calls + "'\n");
        Files.setPosixFilePermissions(flink, PosixFilePermissions.fromString("rwx------"));
        Path jar = Files.writeString(dir.resolve("job.jar"), "not a jar: the fake CLI never opens it");

        run(dir, flink, jar, "submit", "--gpufaas.kafka.delivery-guarantee", "exactly-once");
        run(dir, flink, jar, "resume", "/savepoints/sp-1", "--gpufaas.router.max-pending", "500");

        List<String> lines = Files.readAllLines(calls);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).contains("-s /savepoints/sp-1")
                .contains("--gpufaas.kafka.delivery-guarantee exactly-once --gpufaas.router.max-pending 500");
    }

    private static void run(Path dir, Path flink, Path jar, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", Path.of("..", "scripts", "submit.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile());
        pb.environment().put("FLINK", flink.toString());
        pb.environment().put("GPUFAAS_JOB_JAR", jar.toString());
        pb.environment().put("GPUFAAS_WORK_DIR", dir.resolve("work").toString());
        pb.environment().put("GPUFAAS_REPOSITORY", "");
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("out.txt"))).isZero();
    }
}
