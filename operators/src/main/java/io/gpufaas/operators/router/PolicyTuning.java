package io.gpufaas.operators.router;

import io.gpufaas.core.router.Router;
import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.core.sim.PolicyTuner;
import io.gpufaas.core.sim.Simulator;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.operators.metrics.GpuFaasMetric;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router operator's side of the {@code tuned} policy: the one background thread its replays run
 * on (so that routing never waits for a simulation), their metrics, and a log line per switch.
 * Under any other policy it only reports {@code tunedPolicy} = -1.
 */
final class PolicyTuning implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyTuning.class);

    private final ExecutorService replays;

    private PolicyTuning(ExecutorService replays) {
        this.replays = replays;
    }

    /** Sets {@code router} up to tune on a background thread if its policy is {@code tuned}. */
    static PolicyTuning attach(Router<?> router, WorkerSettings workers, MetricGroup metrics) {
        GpuFaasMetric.TUNED_POLICY.gauge(metrics, (Gauge<Integer>) () -> router.tunedPolicy()
                .map(t -> t.current().ordinal()).orElse(-1));
        Counter switches = GpuFaasMetric.POLICY_SWITCHES.counter(metrics);
        Counter replayed = GpuFaasMetric.POLICY_REPLAYS.counter(metrics);
        Counter skipped = GpuFaasMetric.POLICY_REPLAYS_SKIPPED.counter(metrics);
        AtomicLong lastReplayMs = new AtomicLong();
        GpuFaasMetric.POLICY_REPLAY_MILLIS.gauge(metrics, (Gauge<Long>) lastReplayMs::get);
        if (router.tunedPolicy().isEmpty()) {
            return new PolicyTuning(null);
        }
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gpufaas-policy-tuner");
            t.setDaemon(true);
            return t;
        });
        PolicyTuner.attach(router, workers, Simulator.JOB_REPORT_DELAY_MS, 0, thread, PolicyTuner.Settings.DEFAULTS,
                new PolicyTuner.Listener() {
                    @Override
                    public void replayed(int arrivals, long millis) {
                        replayed.inc();
                        lastReplayMs.set(millis);
                    }

                    @Override
                    public void replaySkipped(int arrivals) {
                        skipped.inc();
                    }

                    @Override
                    public void replayFailed(Throwable error) {
                        LOG.warn("router: a replay of recent arrivals failed; the tuned policy keeps its candidate", error);
                    }

                    @Override
                    public void switched(PolicyName from, PolicyName to, double[] scores) {
                        switches.inc();
                        LOG.info("router: the tuned policy now routes with {} instead of {} (smoothed log ratios to the "
                                + "best replayed candidate: {})", to, from, Arrays.toString(scores));
                    }
                });
        return new PolicyTuning(thread);
    }

    @Override
    public void close() {
        if (replays != null) {
            replays.shutdownNow();
        }
    }
}
