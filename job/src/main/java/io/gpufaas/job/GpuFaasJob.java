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
     * Network buffers flush this often unless {@code execution.buffer-timeout.interval} is set: 0,
     * after every record. Flink's 100 ms default suits throughput jobs; here every invocation
     * crosses several exchanges (decode, router, worker) and its report the feedback loop back to
     * the router, whose credits wait on it. 0 against 1 ms, passthrough and echo in one run each
     * (scripts/bench-pipeline.sh --rates 50,500,2000 --seconds 10 --burst 20000 --scenarios
     * passthrough,echo): echo's p50 at 500/s 2.7 against 7.0 ms, a burst of 20,000 drained at 19,293
     * against 10,473/s, CPU per invocation at 2,000/s 0.95 against 0.96 ms. (1 against 5 ms before
     * that: p50 15.4 against 18.8 ms.)
     */
    public static final long LOW_LATENCY_BUFFER_TIMEOUT_MS = 0;

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
