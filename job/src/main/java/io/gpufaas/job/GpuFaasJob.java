package io.gpufaas.job;

import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.udf.FunctionRegistry;
import io.gpufaas.udf.RegistryLoader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point for {@code flink run -c io.gpufaas.job.GpuFaasJob gpufaas-job-flink.jar [options]}.
 * Options: see {@link GpuFaasOptions}, given as {@code --key value}, {@code -Dkey=value} or in a
 * {@code config.yaml} named by {@code --config-dir}.
 */
public final class GpuFaasJob {

    private GpuFaasJob() {}

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration base = env.getConfiguration() instanceof Configuration c ? c : new Configuration();
        Configuration conf = JobConfig.fromArgs(base, args);
        addKafkaPipeline(env, conf, OutputLimits.of(conf));
        env.execute(conf.get(GpuFaasOptions.JOB_NAME));
    }

    /** Starts the job without waiting for it, e.g. in a local environment. */
    public static JobClient start(StreamExecutionEnvironment env, Configuration conf) throws Exception {
        addKafkaPipeline(env, conf, OutputLimits.of(conf));
        return env.executeAsync(conf.get(GpuFaasOptions.JOB_NAME));
    }

    /**
     * Network buffers flush at least this often unless {@code execution.buffer-timeout.interval}
     * is set. Flink's 100 ms default suits throughput jobs; here every invocation crosses several
     * exchanges (decode, router, worker, and the reports' loop back to the router), each of which
     * could hold it up to the timeout at a low rate. 1 ms against 5 ms: echo's p50 at 500/s went
     * from 18.8 to 15.4 ms and a burst drained at 1,502 instead of 1,073 invocations/s
     * (scripts/bench-pipeline.sh, docs/pipeline.md).
     */
    static final long LOW_LATENCY_BUFFER_TIMEOUT_MS = 1;

    /**
     * Adds the job to {@code env}. {@code limits}: what each output topic takes per record
     * ({@link OutputLimits#of} asks the broker).
     */
    static void addKafkaPipeline(StreamExecutionEnvironment env, Configuration conf, OutputLimits limits) {
        if (conf.getOptional(ExecutionOptions.BUFFER_TIMEOUT).isPresent()) {
            env.setBufferTimeout(conf.get(ExecutionOptions.BUFFER_TIMEOUT).toMillis());
        } else if (env.getConfiguration().getOptional(ExecutionOptions.BUFFER_TIMEOUT).isEmpty()) {
            env.setBufferTimeout(LOW_LATENCY_BUFFER_TIMEOUT_MS);
        }
        RegistryLoader loader = conf.getOptional(GpuFaasOptions.FUNCTION_REPOSITORY)
                .map(RegistryLoader::repository)
                .orElseGet(RegistryLoader::builtins);
        // Read once on the client too: a broken repository fails the submission, listing every
        // problem, instead of failing every task.
        FunctionRegistry registry = loader.load();
        new GpuFaasPipeline(PipelineIo.kafka(conf, limits), JobSettings.from(conf, env.getParallelism()),
                FunctionCatalog.of(registry.all()), loader).addTo(env);
    }
}
