package io.gpufaas.core.sim;

import io.gpufaas.core.router.ModelStats;
import io.gpufaas.core.router.Residency;
import io.gpufaas.core.router.Router;
import io.gpufaas.core.router.RouterTuner;
import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.core.router.policy.TunedPolicy;
import io.gpufaas.core.worker.WorkerSettings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Chooses the {@link TunedPolicy}'s candidate by replaying the router's own recent arrivals
 * through the simulator, once per candidate. The simulator runs the same router and worker
 * classes as the job, so a replay is the job's behaviour on the recent past under each policy, as
 * far as the router's learned costs describe it.
 *
 * <p><b>Epochs.</b> An epoch runs from a {@link Snapshot} of the router (every worker's resident
 * models and the invocations waiting) until {@link Settings#epochArrivals} invocations arrived, or
 * {@link Settings#epochMs} passed with at least {@link Settings#minArrivals}. When one ends, the
 * last {@link Settings#replayEpochs} epochs are replayed from the first one's snapshot under every
 * candidate, on {@code executor}: in line in the simulator (deterministic), on a background thread
 * in the job (the router does not wait). Each candidate also runs the same arrivals
 * {@link Settings#stressFactor} times as fast: a policy whose queue is about to run away (one that
 * waits for a busy holder while the others idle) shows it there before it happens for real.
 *
 * <p><b>Choice.</b> A replay's verdict is applied at the router's next event ({@link #apply}). A
 * candidate's score is the worst of its ratios to the best candidate's mean and p99, at both
 * speeds, smoothed over replays in logarithms ({@link Settings#memory}). The router switches to the
 * best-scoring candidate only after {@link Settings#warmReplays} replays, and only when it beats the
 * current one by {@link Settings#leaveMargin} (leaving {@code demand}, the default) or
 * {@link Settings#switchMargin} (any other). Leaving the default needs more evidence because the
 * other candidates' tails are far worse when they are wrong (the evaluation grid finds
 * {@code ect-o3} and {@code lalb-o3} tens to hundreds of times the best in some 16-GPU cells).
 *
 * <p><b>Cost.</b> Replays are bounded to {@link Settings#replayBudget} simulated arrivals per real
 * arrival (after an allowance of {@link Settings#replayAllowance}): a busy router replays less
 * often, never more work than that. At most one replay runs: an epoch that ends while one runs is
 * not replayed. Memory: the arrivals of {@code replayEpochs} epochs and a snapshot per epoch (every
 * worker's resident models, and at most {@code epochArrivals x replayEpochs} waiting invocations).
 *
 * <p><b>Learned costs.</b> A replay needs one input's run time per model; the router's estimate
 * is per batch, so the tuner takes each report's batch apart with the simulator's batching model
 * ({@link CostModel#batchMs}). Loads and footprints are the router's own estimates.
 *
 * <p>Plain Java: the router calls {@link #arrived}, {@link #reported} and {@link #apply} from its
 * one thread; only the replay runs elsewhere, on copies.
 */
public final class PolicyTuner implements RouterTuner {

    /**
     * @param epochArrivals arrivals that end an epoch
     * @param epochMs time that ends an epoch, once it has {@code minArrivals}
     * @param minArrivals fewest arrivals worth ending an epoch on time
     * @param replayEpochs how many of the last epochs a replay covers
     * @param stressFactor each candidate is also replayed this many times as fast (1: not)
     * @param warmReplays replays before the first switch
     * @param leaveMargin how much better (0.2 = 20%) a candidate's smoothed score must be to leave
     *     the first candidate, {@code demand}
     * @param switchMargin the same between any other candidates, and back to {@code demand}
     * @param memory weight of earlier replays in a smoothed score, in [0, 1) (0: the last alone)
     * @param replayBudget simulated arrivals per real arrival that replays may cost
     * @param replayAllowance simulated arrivals replays may cost before the budget applies
     */
    public record Settings(int epochArrivals, long epochMs, int minArrivals, int replayEpochs, double stressFactor,
            int warmReplays, double leaveMargin, double switchMargin, double memory, double replayBudget,
            long replayAllowance) {

        /**
         * Chosen on the tuning split only (the shared sample's first 12 hours and generated traces of
         * seed 101; docs/evaluation/generalization.md), never on what the report evaluates.
         */
        public static final Settings DEFAULTS = new Settings(200, 20_000, 50, 5, 1.3, 3, 0.2, 0.05, 0.5, 10, 20_000);

        public Settings {
            require(epochArrivals >= 1 && epochMs >= 1 && minArrivals >= 1 && minArrivals <= epochArrivals,
                    "an epoch needs 1 <= min arrivals <= arrivals and a positive length, were " + minArrivals + ", "
                            + epochArrivals + " and " + epochMs + " ms");
            require(replayEpochs >= 1, "a replay covers at least one epoch, was " + replayEpochs);
            require(stressFactor >= 1, "the stress factor must be at least 1, was " + stressFactor);
            require(warmReplays >= 0, "warm replays must not be negative, was " + warmReplays);
            require(leaveMargin >= 0 && switchMargin >= 0, "switch margins must not be negative, were " + leaveMargin
                    + " and " + switchMargin);
            require(memory >= 0 && memory < 1, "the memory must be in [0, 1), was " + memory);
            require(replayBudget > 0 && replayAllowance >= 0, "the replay budget must be positive and its allowance "
                    + "not negative, were " + replayBudget + " and " + replayAllowance);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /** Told what the tuner did, for the owner's metrics and logs. */
    public interface Listener {
        Listener NONE = new Listener() {};

        /** A replay of {@code arrivals} under every candidate took {@code millis} of wall time (executor's thread). */
        default void replayed(int arrivals, long millis) {}

        /** An epoch ended while the last replay was still running: not replayed. */
        default void replaySkipped(int arrivals) {}

        /** A replay failed as a whole (its candidates keep their scores); executor's thread. */
        default void replayFailed(Throwable error) {}

        /** The router routes with {@code to} from now on; {@code scores} are the candidates' smoothed scores. */
        default void switched(PolicyName from, PolicyName to, double[] scores) {}
    }

    /**
     * What one replay found, per candidate: mean and p99 latency at the arrivals' own pace and at
     * the stress factor's (NaN where the candidate's replay failed).
     */
    record Verdict(double[] meanMs, double[] p99Ms, double[] stressMeanMs, double[] stressP99Ms) {}

    /** One epoch's arrivals, from a snapshot of the router when it began. */
    private static final class Epoch {
        final double startMs;
        final Snapshot start;
        double[] atMs = new double[64];
        String[] model = new String[64];
        int n;

        Epoch(double startMs, Snapshot start) {
            this.startMs = startMs;
            this.start = start;
        }

        void add(String m, double nowMs) {
            if (n == atMs.length) {
                atMs = Arrays.copyOf(atMs, n * 2);
                model = Arrays.copyOf(model, n * 2);
            }
            atMs[n] = nowMs;
            model[n] = m;
            n++;
        }
    }

    /** Weight of a report in a model's learned one-input run time. */
    private static final double SOLO_ALPHA = 0.2;

    private final TunedPolicy policy;
    private final Simulator.Config template;
    private final Executor executor;
    private final Settings settings;
    private final Listener listener;
    private final List<PolicyName> candidates = TunedPolicy.CANDIDATES;
    /** Each candidate's smoothed log score; NaN before its first replay. */
    private final double[] smoothed;
    private final AtomicReference<Verdict> verdict = new AtomicReference<>();
    private final AtomicBoolean replaying = new AtomicBoolean();
    /** The epochs the next replay covers, oldest first; the last one is open. */
    private final ArrayDeque<Epoch> epochs = new ArrayDeque<>();
    /** Per model, the run time of one input alone, learned from batch reports. */
    private final Map<String, Double> soloExecMs = new HashMap<>();
    private long seenArrivals;
    private long replayedArrivals;
    private int switches;
    private int replays;

    /**
     * @param template the pool a replay runs on: the router's settings (its queue bounds are lifted:
     *     a replay measures latency, not shedding), the workers' settings, the report delay
     */
    public PolicyTuner(TunedPolicy policy, Simulator.Config template, Executor executor, Settings settings,
            Listener listener) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.template = new Simulator.Config(template.gpus(), template.gpuMemoryBytes(),
                template.router().withMaxPending(Integer.MAX_VALUE, Long.MAX_VALUE), template.worker(),
                template.reportDelayMs(), template.hostCores());
        this.executor = Objects.requireNonNull(executor, "executor");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.smoothed = new double[candidates.size()];
        Arrays.fill(smoothed, Double.NaN);
    }

    /**
     * Sets {@code router} up to be tuned by a new tuner if it runs the tuned policy, its replays
     * running on a pool like its own: {@code workers}' settings, reports {@code reportDelayMs} late,
     * devices sharing {@code hostCores} (0: none). Replays run on {@code executor}: {@code Runnable::run}
     * for in line (the simulator, deterministic), a background thread in the job.
     */
    public static Optional<PolicyTuner> attach(Router<?> router, WorkerSettings workers, double reportDelayMs,
            int hostCores, Executor executor, Settings settings, Listener listener) {
        return router.tunedPolicy().map(policy -> {
            var r = router.settings();
            PolicyTuner tuner = new PolicyTuner(policy, new Simulator.Config(r.workers(), r.workerMemoryBytes(), r, workers,
                    reportDelayMs, hostCores), executor, settings, listener);
            router.tuneWith(tuner);
            return tuner;
        });
    }

    /**
     * An invocation of {@code model} arrived at {@code nowMs}. May end the epoch and start a
     * replay. {@code snapshot} is asked once per epoch, at its start, for at most the given number
     * of waiting invocations.
     */
    @Override
    public void arrived(String model, double nowMs, IntFunction<Snapshot> snapshot, Function<String, ModelStats> stats) {
        int mostWaiting = settings.epochArrivals() * settings.replayEpochs();
        if (epochs.isEmpty()) {
            epochs.add(new Epoch(nowMs, snapshot.apply(mostWaiting)));
        }
        Epoch open = epochs.peekLast();
        open.add(model, nowMs);
        seenArrivals++;
        if (open.n >= settings.epochArrivals()
                || (nowMs - open.startMs >= settings.epochMs() && open.n >= settings.minArrivals())) {
            endEpoch(stats);
            while (epochs.size() >= settings.replayEpochs()) {
                epochs.pollFirst();
            }
            epochs.add(new Epoch(nowMs, snapshot.apply(mostWaiting)));
        }
    }

    /**
     * A worker reported a batch of {@code completed} inputs of {@code model} that ran
     * {@code batchMs}: learns the model's one-input run time, which a replay's workers batch again.
     */
    @Override
    public void reported(String model, long batchMs, int completed) {
        if (batchMs <= 0 || completed < 1) {
            return;
        }
        double solo = batchMs / CostModel.batchMs(1, completed);
        soloExecMs.merge(model, solo, (old, now) -> (1 - SOLO_ALPHA) * old + SOLO_ALPHA * now);
    }

    private void endEpoch(Function<String, ModelStats> stats) {
        int n = epochs.peekFirst().start.waiting().size();
        for (Epoch e : epochs) {
            n += e.n;
        }
        long cost = (long) n * candidates.size() * (settings.stressFactor() > 1 ? 2 : 1);
        if (replayedArrivals + cost > settings.replayBudget() * seenArrivals + settings.replayAllowance()) {
            return; // over its share of the router's work: a later epoch replays
        }
        if (!replaying.compareAndSet(false, true)) {
            listener.replaySkipped(n);
            return;
        }
        replayedArrivals += cost;
        Workload recent = workload(stats, n);
        List<Residency> start = epochs.peekFirst().start.resident();
        try {
            executor.execute(() -> replay(recent, start));
        } catch (RejectedExecutionException e) {
            replaying.set(false);
            listener.replayFailed(e);
        }
    }

    /**
     * The covered epochs as one workload: what waited at the first one's start arrives first (a
     * backlog every candidate must work off too), then every arrival since, over the models they
     * name and the models resident at the start.
     */
    private Workload workload(Function<String, ModelStats> stats, int n) {
        Snapshot first = epochs.peekFirst().start;
        Map<String, Integer> index = new LinkedHashMap<>();
        for (Residency r : first.resident()) {
            index.putIfAbsent(r.model(), index.size());
        }
        double origin = epochs.peekFirst().startMs;
        double[] at = new double[n];
        int[] function = new int[n];
        int i = 0;
        for (String m : first.waiting()) {
            function[i] = indexOf(index, m);
            at[i++] = 0;
        }
        for (Epoch e : epochs) {
            for (int k = 0; k < e.n; k++, i++) {
                function[i] = indexOf(index, e.model[k]);
                at[i] = e.atMs[k] - origin;
            }
        }
        List<String> models = new ArrayList<>(index.keySet());
        long[] bytes = new long[models.size()];
        double[] loadMs = new double[models.size()];
        double[] execMs = new double[models.size()];
        for (int f = 0; f < models.size(); f++) {
            ModelStats s = stats.apply(models.get(f));
            bytes[f] = s.bytes();
            loadMs[f] = s.loadMs();
            execMs[f] = soloExecMs.getOrDefault(models.get(f), s.execMs());
        }
        return new Workload(List.copyOf(models), bytes, loadMs, execMs, at, function);
    }

    private static int indexOf(Map<String, Integer> index, String model) {
        Integer f = index.putIfAbsent(model, index.size());
        return f == null ? index.size() - 1 : f;
    }

    /** Runs {@code recent} under every candidate (on the executor's thread) and leaves the verdict for {@link #apply}. */
    private void replay(Workload recent, List<Residency> start) {
        long began = System.nanoTime();
        try {
            int k = candidates.size();
            Verdict v = new Verdict(new double[k], new double[k], new double[k], new double[k]);
            Workload stressed = faster(recent, settings.stressFactor());
            for (int c = 0; c < k; c++) {
                Simulator.Config config = template.withPolicy(candidates.get(c));
                try {
                    SimResult r = Simulator.run(recent, config, start);
                    SimResult s = stressed == recent ? r : Simulator.run(stressed, config, start);
                    v.meanMs()[c] = r.meanMs();
                    v.p99Ms()[c] = r.quantileMs(0.99);
                    v.stressMeanMs()[c] = s.meanMs();
                    v.stressP99Ms()[c] = s.quantileMs(0.99);
                } catch (RuntimeException e) {
                    // e.g. a model the router learned is larger than a worker: this candidate says nothing
                    v.meanMs()[c] = Double.NaN;
                }
            }
            offer(v);
            listener.replayed(recent.invocations(), (System.nanoTime() - began) / 1_000_000);
        } catch (Throwable t) {
            listener.replayFailed(t);
        } finally {
            replaying.set(false);
        }
    }

    /** Leaves {@code v} for the router's next {@link #apply}. */
    void offer(Verdict v) {
        verdict.set(v);
    }

    /** The same arrivals, {@code factor} times as fast ({@code w} itself at 1). */
    private static Workload faster(Workload w, double factor) {
        if (factor == 1) {
            return w;
        }
        double[] at = w.arrivalMs().clone();
        for (int i = 0; i < at.length; i++) {
            at[i] /= factor;
        }
        return new Workload(w.models(), w.bytes(), w.loadMs(), w.execMs(), at, w.function());
    }

    /** Takes the last replay's verdict, if a new one is there, and switches the policy if it says so. */
    @Override
    public void apply() {
        Verdict v = verdict.getAndSet(null);
        if (v == null) {
            return;
        }
        double[] best = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
                Double.POSITIVE_INFINITY};
        for (int c = 0; c < candidates.size(); c++) {
            if (!Double.isNaN(v.meanMs()[c])) {
                best[0] = Math.min(best[0], v.meanMs()[c]);
                best[1] = Math.min(best[1], v.p99Ms()[c]);
                best[2] = Math.min(best[2], v.stressMeanMs()[c]);
                best[3] = Math.min(best[3], v.stressP99Ms()[c]);
            }
        }
        if (best[0] == Double.POSITIVE_INFINITY) {
            return; // every candidate's replay failed: nothing learned
        }
        replays++;
        for (int c = 0; c < candidates.size(); c++) {
            double score = Double.isNaN(v.meanMs()[c]) ? FAILED_SCORE
                    : Math.log(Math.max(Math.max(ratio(v.meanMs()[c], best[0]), ratio(v.p99Ms()[c], best[1])),
                            Math.max(ratio(v.stressMeanMs()[c], best[2]), ratio(v.stressP99Ms()[c], best[3]))));
            smoothed[c] = Double.isNaN(smoothed[c]) ? score : settings.memory() * smoothed[c] + (1 - settings.memory()) * score;
        }
        int current = candidates.indexOf(policy.current());
        int leader = current;
        for (int c = 0; c < candidates.size(); c++) {
            if (smoothed[c] < smoothed[leader]) {
                leader = c;
            }
        }
        double margin = current == 0 ? settings.leaveMargin() : settings.switchMargin();
        if (replays > settings.warmReplays() && leader != current && smoothed[leader] + Math.log1p(margin) < smoothed[current]) {
            PolicyName from = policy.current();
            policy.use(candidates.get(leader));
            switches++;
            listener.switched(from, candidates.get(leader), smoothed.clone());
        }
    }

    /** A candidate whose replay failed scores as if a million times the best. */
    private static final double FAILED_SCORE = Math.log(1e6);

    private static double ratio(double value, double best) {
        return best <= 0 ? (value <= 0 ? 1 : 1e6) : value / best;
    }

    /** Times the policy switched. */
    public int switches() {
        return switches;
    }

    /** Replays whose verdict was applied. */
    public int replays() {
        return replays;
    }

    /** Each candidate's smoothed score (the log of its ratio to the best; NaN before any replay). */
    public Map<PolicyName, Double> scores() {
        Map<PolicyName, Double> out = new LinkedHashMap<>();
        for (int c = 0; c < candidates.size(); c++) {
            out.put(candidates.get(c), smoothed[c]);
        }
        return out;
    }
}
