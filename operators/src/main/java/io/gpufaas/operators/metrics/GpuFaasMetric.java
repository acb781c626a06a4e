package io.gpufaas.operators.metrics;

import java.util.Arrays;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;

/**
 * Every metric gpufaas registers, declared once: the operator that owns it, its name, its kind and
 * what it means. Operators register through these constants, never by a string of their own, and
 * docs/metrics.md is generated from them (io.gpufaas.job.MetricDocs).
 */
public enum GpuFaasMetric {

    INVOCATIONS_ACCEPTED(Operator.DECODE, "invocationsAccepted", Kind.COUNTER,
            "Invocations that decoded and validated and went on to the router."),
    DEAD_LETTERS(Operator.DECODE, "deadLetters", Kind.COUNTER,
            "Records refused with a dead letter; also per reason, under the group `reason.<REASON>`."),
    FUNCTIONS_DEPLOYED(Operator.DECODE, "functionsDeployed", Kind.COUNTER, "DEPLOY commands applied."),
    FUNCTIONS_REMOVED(Operator.DECODE, "functionsRemoved", Kind.COUNTER, "REMOVE commands applied."),

    ROUTED_INVOCATIONS(Operator.ROUTER, "routedInvocations", Kind.COUNTER, "Invocations sent to a worker."),
    PLANNED_HITS(Operator.ROUTER, "plannedHits", Kind.COUNTER,
            "Invocations placed on a worker the router saw holding their model (the count the simulator reads)."),
    PLANNED_MISSES(Operator.ROUTER, "plannedMisses", Kind.COUNTER,
            "Invocations placed on a worker that had to load their model."),
    PLANNED_HIT_RATIO(Operator.ROUTER, "plannedHitRatio", Kind.GAUGE,
            "The whole fleet's hit ratio as the router planned it: planned hits over all placements (0 before any)."),
    REPORTS_RECEIVED(Operator.ROUTER, "reportsReceived", Kind.COUNTER, "Worker reports read from the feedback loop."),
    VIEW_CORRECTIONS(Operator.ROUTER, "viewCorrections", Kind.COUNTER,
            "Models a report showed resident or gone unlike the router's view of that worker; each corrects the view."),
    RELEASED_SLOTS(Operator.ROUTER, "releasedSlots", Kind.COUNTER,
            "Slots taken back from a worker that held invocations and reported nothing for `report-timeout`."),
    SHED_INVOCATIONS(Operator.ROUTER, "shedInvocations", Kind.COUNTER,
            "Invocations refused OVERLOADED because waiting work passed its bound."),
    EXPIRED_WHILE_WAITING(Operator.ROUTER, "expiredWhileWaiting", Kind.COUNTER,
            "Invocations whose deadline passed before a worker took them (ended EXPIRED)."),
    INTERNAL_ERRORS(Operator.ROUTER, "internalErrors", Kind.COUNTER, "Handling an invocation or report threw."),
    UNPLACEABLE_INVOCATIONS(Operator.ROUTER, "unplaceableInvocations", Kind.COUNTER,
            "Invocations ended OUT_OF_DEVICE_MEMORY: their model fits no worker."),
    REMOVED_WHILE_WAITING(Operator.ROUTER, "removedWhileWaiting", Kind.COUNTER,
            "Invocations ended FUNCTION_REMOVED: their function was removed while they waited."),
    DUPLICATE_INVOCATIONS(Operator.ROUTER, "duplicateInvocations", Kind.COUNTER,
            "A retried invocation id, refused as a DUPLICATE dead letter."),
    REMEMBERED_IDS(Operator.ROUTER, "rememberedIds", Kind.GAUGE,
            "Invocation ids kept for deduplication: one `dedup-window` of them, about 100 bytes each."),
    IDS_FORGOTTEN_EARLY(Operator.ROUTER, "idsForgottenEarly", Kind.COUNTER,
            "Ids dropped before their `dedup-window` ended because `dedup-max-ids` were remembered: "
                    + "the window was too long for the rate."),
    PENDING_INVOCATIONS(Operator.ROUTER, "pendingInvocations", Kind.GAUGE, "Invocations waiting for a worker."),
    PENDING_BYTES(Operator.ROUTER, "pendingBytes", Kind.GAUGE,
            "Input bytes waiting for a worker, bounded by `max-pending-bytes`."),
    PENDING_HIGH_WATER(Operator.ROUTER, "pendingHighWater", Kind.GAUGE,
            "The most invocations ever waiting at once: what overload really held."),
    WORKER_CREDITS(Operator.ROUTER, "workerCredits", Kind.GAUGE,
            "All workers' credits: how many invocations the router lets out at once. Each worker's adapt between "
                    + "`slots-per-worker` and `max-slots-per-worker`, a fast worker's by the backlog it reports."),
    TUNED_POLICY(Operator.ROUTER, "tunedPolicy", Kind.GAUGE,
            "Under the `tuned` policy, the candidate routing now, by its position in `routing-policy`'s list of "
                    + "values (0 round-robin, 1 least-loaded, 2 ch-bl, 3 lalb, 4 lalb-o3, 5 ect-o3, 6 demand); "
                    + "-1 under any other policy."),
    POLICY_SWITCHES(Operator.ROUTER, "policySwitches", Kind.COUNTER,
            "Times the `tuned` policy switched its candidate after replaying recent arrivals (each also logged)."),
    POLICY_REPLAYS(Operator.ROUTER, "policyReplays", Kind.COUNTER,
            "Replays of recent arrivals under every candidate the `tuned` policy ran, on the router's background thread."),
    POLICY_REPLAYS_SKIPPED(Operator.ROUTER, "policyReplaysSkipped", Kind.COUNTER,
            "Epochs not replayed because the last replay was still running: the tuner keeps at most one."),
    POLICY_REPLAY_MILLIS(Operator.ROUTER, "policyReplayMillis", Kind.GAUGE,
            "Wall time of the last replay of every candidate, in milliseconds (background thread)."),

    INVOCATIONS_COMPLETED(Operator.WORKER, "invocationsCompleted", Kind.COUNTER, "Invocations that ended OK."),
    INVOCATIONS_FAILED(Operator.WORKER, "invocationsFailed", Kind.COUNTER, "Invocations that ended ERROR."),
    INVOCATIONS_EXPIRED(Operator.WORKER, "invocationsExpired", Kind.COUNTER,
            "Invocations whose deadline passed at the worker (ended EXPIRED)."),
    WORKER_ERRORS(Operator.WORKER, "workerErrors", Kind.COUNTER,
            "A load or run threw; its invocations ended as errors, their slot freed."),
    CACHE_HITS(Operator.WORKER, "cacheHits", Kind.COUNTER, "Invocations whose model was resident when they ran."),
    CACHE_MISSES(Operator.WORKER, "cacheMisses", Kind.COUNTER, "Invocations that had to load their model first."),
    CACHE_EVICTIONS(Operator.WORKER, "cacheEvictions", Kind.COUNTER, "Models evicted from device memory."),
    MODEL_LOADS(Operator.WORKER, "modelLoads", Kind.COUNTER, "Models loaded into device memory."),
    BYTES_LOADED(Operator.WORKER, "bytesLoaded", Kind.COUNTER, "Bytes of model weights loaded into device memory."),
    CACHE_HIT_RATIO(Operator.WORKER, "cacheHitRatio", Kind.GAUGE,
            "This worker's hits over hits and misses, from the same count as `cacheHits` (0 before any)."),
    MODEL_LOADS_PER_MINUTE(Operator.WORKER, "modelLoadsPerMinute", Kind.GAUGE,
            "Model loads over the last minute (sampled every 5 s): a cache that thrashes shows here first."),
    EVICTIONS_PER_MINUTE(Operator.WORKER, "evictionsPerMinute", Kind.GAUGE,
            "Evictions over the last minute (sampled every 5 s)."),
    QUEUE_DEPTH(Operator.WORKER, "queueDepth", Kind.GAUGE, "Invocations queued at the worker, not yet running."),
    IN_FLIGHT(Operator.WORKER, "inFlight", Kind.GAUGE, "Invocations running on the device now."),
    DEVICE_MEMORY_USED_BYTES(Operator.WORKER, "deviceMemoryUsedBytes", Kind.GAUGE,
            "Device memory the resident models hold, as measured when they loaded."),
    DEVICE_MEMORY_CAPACITY_BYTES(Operator.WORKER, "deviceMemoryCapacityBytes", Kind.GAUGE,
            "Device memory this worker may fill."),
    RESIDENT_MODELS(Operator.WORKER, "residentModels", Kind.GAUGE, "Models in device memory now."),
    WARM_RESTORED_MODELS(Operator.WORKER, "warmRestoredModels", Kind.GAUGE,
            "Models made resident from the checkpoint's cache metadata when the worker (re)started: reloaded, "
                    + "or kept in device memory from the previous run (`reattachedModels`)."),
    REATTACHED_MODELS(Operator.WORKER, "reattachedModels", Kind.GAUGE,
            "Of the warm-restored models, those taken over from this task manager's previous run of the worker, "
                    + "still in device memory, instead of loaded (not counted in `modelLoads`)."),
    LOAD_LATENCY_MS(Operator.WORKER, "loadLatencyMs", Kind.HISTOGRAM, "Time to load a model (last 1,024 loads)."),
    EXECUTION_LATENCY_MS(Operator.WORKER, "executionLatencyMs", Kind.HISTOGRAM,
            "Time to run one batch on the device (last 1,024 batches)."),
    BATCH_SIZE(Operator.WORKER, "batchSize", Kind.HISTOGRAM, "Invocations per batch (last 1,024 batches)."),
    QUEUE_WAIT_MS(Operator.WORKER, "queueWaitMs", Kind.HISTOGRAM,
            "Time from arrival until execution (or the model's load) started (last 1,024)."),
    END_TO_END_LATENCY_MS(Operator.WORKER, "endToEndLatencyMs", Kind.HISTOGRAM,
            "Time from the invocation record's Kafka timestamp until its result was produced (last 1,024); Prometheus "
                    + "gets its quantiles (0.5, 0.75, 0.95, 0.98, 0.99, 0.999)."),

    PAYLOADS_DETACHED(Operator.PAYLOAD_SPLIT, "payloadsDetached", Kind.COUNTER,
            "Invocations whose payload went around the router, to the payload join (at least "
            + "`gpufaas.router.payload-bypass-threshold`)."),
    PAYLOADS_JOINED(Operator.PAYLOAD_JOIN, "payloadsJoined", Kind.COUNTER,
            "Detached payloads joined with the router's decision and sent to their worker."),
    PAYLOADS_DROPPED(Operator.PAYLOAD_JOIN, "payloadsDropped", Kind.COUNTER,
            "Detached payloads of invocations the router ended itself (shed, expired, refused, duplicates), released."),
    PAYLOAD_JOIN_ERRORS(Operator.PAYLOAD_JOIN, "payloadJoinErrors", Kind.COUNTER,
            "Joining a payload with its decision threw; the invocation ended as an INTERNAL error result."),

    OVERSIZE_RESULTS(Operator.RESULTS_SINK, "oversizeResults", Kind.COUNTER,
            "Results too large for the results topic, written as RESULT_TOO_LARGE instead."),
    TRUNCATED_DEAD_LETTERS(Operator.DEAD_LETTERS_SINK, "truncatedDeadLetters", Kind.COUNTER,
            "Dead letters cut to fit the dead-letter topic's record size.");

    /** The operators of the job, by the names the web UI and the reporters show. */
    public enum Operator {
        DECODE("decode-validate"), PAYLOAD_SPLIT("payload-split"), ROUTER("router"), PAYLOAD_JOIN("payload-join"), WORKER("worker"),
        RESULTS_SINK("results"),
        DEAD_LETTERS_SINK("dead-letters");

        private final String operatorName;

        Operator(String operatorName) {
            this.operatorName = operatorName;
        }

        public String operatorName() {
            return operatorName;
        }
    }

    /** Flink's metric types. */
    public enum Kind { COUNTER, GAUGE, HISTOGRAM }

    private final Operator operator;
    private final String metricName;
    private final Kind kind;
    private final String description;

    GpuFaasMetric(Operator operator, String metricName, Kind kind, String description) {
        this.operator = operator;
        this.metricName = metricName;
        this.kind = kind;
        this.description = description;
    }

    public Operator operator() {
        return operator;
    }

    public String metricName() {
        return metricName;
    }

    public Kind kind() {
        return kind;
    }

    public String description() {
        return description;
    }

    /** The metrics of one operator, in declaration order. */
    public static List<GpuFaasMetric> of(Operator operator) {
        return Arrays.stream(values()).filter(m -> m.operator == operator).toList();
    }

    public Counter counter(MetricGroup group) {
        return group.counter(metricName, expect(Kind.COUNTER, new SimpleCounter()));
    }

    public <C extends Counter> C counter(MetricGroup group, C counter) {
        return group.counter(metricName, expect(Kind.COUNTER, counter));
    }

    public <T, G extends Gauge<T>> G gauge(MetricGroup group, G gauge) {
        return group.gauge(metricName, expect(Kind.GAUGE, gauge));
    }

    public <H extends Histogram> H histogram(MetricGroup group, H histogram) {
        return group.histogram(metricName, expect(Kind.HISTOGRAM, histogram));
    }

    private <M> M expect(Kind wanted, M metric) {
        if (kind != wanted) {
            throw new IllegalStateException(metricName + " is declared a " + kind + ", registered as a " + wanted);
        }
        return metric;
    }
}
