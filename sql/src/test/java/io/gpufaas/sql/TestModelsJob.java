package io.gpufaas.sql;

import io.gpufaas.job.GpuFaasJob;
import io.gpufaas.job.JobConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The gpufaas job serving the test repository's tiny models on the CPU, in the test's MiniCluster. */
final class TestModelsJob {

    static final Path REPOSITORY = Path.of("..", "udf-gpu", "src", "test", "resources", "repo").toAbsolutePath();

    private TestModelsJob() {}

    /** Starts it against {@code bootstrap}; {@code options} are more {@code --gpufaas.*} arguments (topics). */
    static JobClient start(String bootstrap, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--gpufaas.kafka.bootstrap-servers", bootstrap,
                "--gpufaas.functions.repository", REPOSITORY.toString(), "--gpufaas.device.kind", "CPU"));
        args.addAll(List.of(options));
        Configuration conf = JobConfig.fromArgs(new Configuration(), args.toArray(String[]::new));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        return GpuFaasJob.start(env, conf);
    }
}
