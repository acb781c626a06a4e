package io.gpufaas.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.gpufaas.core.contract.DecodeLimits;
import io.gpufaas.core.router.RecentIds;
import io.gpufaas.core.router.RouterSettings;
import io.gpufaas.core.router.policy.PolicyName;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.udf.device.DeviceSelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Every option of the gpufaas job, in one place; the router's and workers' defaults are those of
 * {@link RouterSettings#DEFAULTS} and {@link WorkerSettings#DEFAULTS}. Set them in {@code config.yaml} or on the
 * command line ({@code --gpufaas.kafka.bootstrap-servers host:9092}); the table in
 * docs/configuration.md is generated from the descriptions here ({@code scripts/config-docs.sh};
 * {@code ConfigDocsTest} fails when it is stale).
 */
public final class GpuFaasOptions {

    private GpuFaasOptions() {}

    /** Options starting with this prefix are passed to every Kafka client (e.g. SASL/SSL). */
    public static final String KAFKA_PROPERTIES_PREFIX = "gpufaas.kafka.properties.";

    public enum StartingOffsets {
        /** Resume from the consumer group's committed offsets; start at the earliest without any. */
        COMMITTED,
        EARLIEST,
        LATEST
    }

    public static final ConfigOption<String> JOB_NAME = key("gpufaas.job.name")
            .stringType()
            .defaultValue("gpufaas")
            .withDescription("Name of the Flink job, as the web UI shows it.");

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = key("gpufaas.kafka.bootstrap-servers")
            .stringType()
            .defaultValue("localhost:9092")
            .withDescription("Kafka bootstrap servers for the invocation, result and dead-letter topics.");

    public static final ConfigOption<String> INVOCATIONS_TOPIC = key("gpufaas.kafka.topic.invocations")
            .stringType()
            .defaultValue("gpufaas.invocations")
            .withDescription("Topic the job reads invocation events from. It must exist before the job starts.");

    public static final ConfigOption<String> RESULTS_TOPIC = key("gpufaas.kafka.topic.results")
            .stringType()
            .defaultValue("gpufaas.results")
            .withDescription("Topic the job writes one result per accepted invocation to.");

    public static final ConfigOption<String> DEAD_LETTERS_TOPIC = key("gpufaas.kafka.topic.dead-letters")
            .stringType()
            .defaultValue("gpufaas.dead-letters")
            .withDescription("Topic for records that could not become invocations, with a reason code.");

    public static final ConfigOption<String> GROUP_ID = key("gpufaas.kafka.group-id")
            .stringType()
            .defaultValue("gpufaas")
            .withDescription("Consumer group of the invocations source (offsets are committed on checkpoints).");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS = key("gpufaas.kafka.starting-offsets")
            .enumType(StartingOffsets.class)
            .defaultValue(StartingOffsets.COMMITTED)
            .withDescription("Where a fresh job starts reading: COMMITTED (the group's offsets, else earliest), "
                    + "EARLIEST or LATEST. A job restored from a checkpoint always resumes from it.");

    public static final ConfigOption<DeliveryGuarantee> DELIVERY_GUARANTEE = key("gpufaas.kafka.delivery-guarantee")
            .enumType(DeliveryGuarantee.class)
            .defaultValue(DeliveryGuarantee.AT_LEAST_ONCE)
            .withDescription("Guarantee of the result and dead-letter sinks: at-least-once or exactly-once "
                    + "(transactional; needs checkpointing, and consumers must read committed). Exactly-once results "
                    + "become visible only when the checkpoint after them completes, so a read-committed caller waits "
                    + "about half the checkpoint interval more (p50 5.5 s with 10 s checkpoints, against 27 ms "
                    + "at-least-once; docs/reliability.md). Request-reply callers want at-least-once: a failover may "
                    + "write a result twice, and the Java client completes each invocation's future once.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = key("gpufaas.kafka.transactional-id-prefix")
            .stringType()
            .defaultValue("gpufaas")
            .withDescription("Prefix of the sinks' Kafka transactional ids under exactly-once; "
                    + "unique per job writing to the same cluster.");

    public static final ConfigOption<Boolean> CHECK_TOPICS = key("gpufaas.kafka.check-topics")
            .booleanType()
            .defaultValue(true)
            .withDescription("Before the job starts, check that its five topics exist and read each output topic's "
                    + "max.message.bytes, so that no result or dead letter can exceed it (larger ones are reduced: "
                    + "RESULT_TOO_LARGE results, truncated dead letters). Turn off only where the submitting client "
                    + "cannot reach Kafka; the producer's max.request.size is then assumed for every topic.");

    public static final ConfigOption<MemorySize> MAX_RECORD_SIZE = key("gpufaas.decode.max-record-size")
            .memoryType()
            .defaultValue(MemorySize.parse(DecodeLimits.DEFAULT_MAX_RECORD_BYTES + "b"))
            .withDescription("Largest invocation record accepted; larger ones become TOO_LARGE dead letters.");

    public static final ConfigOption<Duration> DEDUP_WINDOW = key("gpufaas.invocations.dedup-window")
            .durationType()
            .defaultValue(Duration.ofMinutes(2))
            .withDescription("How long an accepted invocation id is remembered: another invocation with the same id "
                    + "within this window (a producer's retry) does not run again and becomes a DUPLICATE dead letter; "
                    + "the first one's result is its answer. The default covers a Kafka producer's own retries "
                    + "(delivery.timeout.ms is 2 minutes). The router keeps the ids in memory, expiring them in arrival order, and checkpoints them: "
                    + "about 100 bytes of heap per id: rate x window, e.g. 2,000/s for 2 minutes is about 24 MB. "
                    + "0 turns deduplication off.");

    public static final ConfigOption<Integer> DEDUP_MAX_IDS = key("gpufaas.invocations.dedup-max-ids")
            .intType()
            .defaultValue(RecentIds.DEFAULT_MAX_IDS)
            .withDescription("The most invocation ids the router remembers for deduplication (about 100 bytes of "
                    + "heap each). At a rate that would need more within dedup-window, the oldest are forgotten "
                    + "early, so the window shortens instead of the heap filling; the router's idsForgottenEarly "
                    + "counter says when. The default covers the 2-minute window up to 16,000 invocations/s.");

    public static final ConfigOption<Integer> WORKER_PARALLELISM = key("gpufaas.worker.parallelism")
            .intType()
            .defaultValue(-1)
            .withDescription("Number of worker subtasks (one device each); -1 uses the job's parallelism.");

    public static final ConfigOption<String> FUNCTION_REPOSITORY = key("gpufaas.functions.repository")
            .stringType()
            .noDefaultValue()
            .withDescription("Model repository directory: one directory per function with a function.json and numbered "
                    + "version directories holding model.pt (see docs/functions.md), "
                    + "readable at the same path on the client and every task manager. Unset: only the built-in "
                    + "echo function is deployed.");

    public static final ConfigOption<DeviceSelector.Preference> DEVICE_KIND = key("gpufaas.device.kind")
            .enumType(DeviceSelector.Preference.class)
            .defaultValue(DeviceSelector.Preference.AUTO)
            .withDescription("Device each worker owns: AUTO (a CUDA GPU when the driver reports one, else the CPU), "
                    + "CUDA (fail without a GPU) or CPU.");

    public static final ConfigOption<MemorySize> CPU_MEMORY_BUDGET = key("gpufaas.device.cpu.memory-budget")
            .memoryType()
            .defaultValue(MemorySize.parse("2gb"))
            .withDescription("Memory a worker on the CPU device may fill with models: the CPU stand-in for "
                    + "GPU memory.");

    public static final ConfigOption<Integer> WORKER_CONCURRENCY = key("gpufaas.worker.concurrency")
            .intType()
            .defaultValue(WorkerSettings.DEFAULTS.concurrency())
            .withDescription("Batches a worker runs on its device at once (a GPU overlaps kernels of several).");

    public static final ConfigOption<Integer> WORKER_QUEUE_CAPACITY = key("gpufaas.worker.queue-capacity")
            .intType()
            .defaultValue(WorkerSettings.DEFAULTS.queueCapacity())
            .withDescription("Invocations a worker holds (queued and running); beyond it back-pressure "
                    + "slows the Kafka source instead of filling memory.");

    public static final ConfigOption<Duration> WORKER_TIMEOUT = key("gpufaas.worker.timeout")
            .durationType()
            .defaultValue(Duration.ofMillis(WorkerSettings.DEFAULTS.timeoutMs()))
            .withDescription("An invocation still without a result after this ends as an ERROR result (code TIMEOUT). "
                    + "Use invocation deadlines (EXPIRED) for per-request limits.");

    public static final ConfigOption<MemorySize> WORKER_MAX_DECODED_BYTES = key("gpufaas.worker.max-decoded-bytes")
            .memoryType()
            .defaultValue(new MemorySize(WorkerSettings.DEFAULTS.maxDecodedBytes()))
            .withDescription("Decoded input (image bitmaps and input tensors) a worker holds in memory at once; a batch "
                    + "that would exceed it waits until running ones finish (one batch always runs). Images are decoded "
                    + "straight to about the model's input size, so a pixel bomb costs what a normal image does.");

    public static final ConfigOption<Integer> MAX_BATCH_SIZE = key("gpufaas.worker.batch.max-size")
            .intType()
            .defaultValue(WorkerSettings.DEFAULTS.maxBatch())
            .withDescription("Most queued invocations of one model run as one batch (1 disables batching).");

    public static final ConfigOption<Duration> MAX_BATCH_DELAY = key("gpufaas.worker.batch.max-delay")
            .durationType()
            .defaultValue(Duration.ofMillis(WorkerSettings.DEFAULTS.maxBatchDelayMs()))
            .withDescription("How long a partial batch may wait for more invocations of its model; "
                    + "0 runs whatever is queued as soon as the device is free.");

    public static final ConfigOption<Boolean> OUT_OF_ORDER = key("gpufaas.worker.out-of-order")
            .booleanType()
            .defaultValue(WorkerSettings.DEFAULTS.outOfOrder())
            .withDescription("Let invocations of resident models overtake one that waits for its model to load.");

    public static final ConfigOption<Integer> MAX_BYPASS = key("gpufaas.worker.out-of-order.max-bypass")
            .intType()
            .defaultValue(WorkerSettings.DEFAULTS.maxBypass())
            .withDescription("How many dispatches may overtake the oldest waiting invocation while it is blocked (no room "
                    + "for its model until something completes) before nothing may (starvation bound). One whose model is "
                    + "loading, or next to load, is overtaken without bound: its load goes on regardless.");

    public static final ConfigOption<String> EVICTION_POLICY = key("gpufaas.cache.eviction-policy")
            .stringType()
            .defaultValue(WorkerSettings.DEFAULTS.evictionPolicy())
            .withDescription("Which resident model a worker evicts to make room: lru, lfu or gdsf "
                    + "(GreedyDual-Size-Frequency, weighing load time against bytes).");

    public static final ConfigOption<Boolean> WARM_RESTORE = key("gpufaas.cache.warm-restore")
            .booleanType()
            .defaultValue(WorkerSettings.DEFAULTS.warmRestore())
            .withDescription("After a restore from a checkpoint, reload the models a worker held before taking traffic.");

    public static final ConfigOption<String> STATUS_TOPIC = key("gpufaas.kafka.topic.worker-status")
            .stringType()
            .defaultValue("gpufaas.worker-status")
            .withDescription("Internal topic of worker reports (completions, resident models) that the router reads "
                    + "back: the feedback channel. It must exist before the job starts.");

    public static final ConfigOption<String> CONTROL_TOPIC = key("gpufaas.kafka.topic.control")
            .stringType()
            .defaultValue("gpufaas.control")
            .withDescription("Compacted topic of deploy and remove commands, keyed by function name "
                    + "(see docs/functions.md). It must exist before the job starts.");

    public static final ConfigOption<PolicyName> ROUTING_POLICY = key("gpufaas.router.policy")
            .enumType(PolicyName.class)
            .defaultValue(RouterSettings.DEFAULTS.policy())
            .withDescription("How the router places invocations: demand (ours: bounded loads, hits first, hashed "
                    + "places), round-robin, least-loaded, lalb, lalb-o3, ch-bl, ect-o3, or tuned (experimental: switches "
                    + "among demand, ect-o3, lalb-o3, least-loaded and ch-bl by replaying its own recent arrivals "
                    + "through the simulator on a background thread; worse than demand on held-out traces). See "
                    + "docs/architecture.md, Routing, and docs/evaluation/ for how they compare.");

    public static final ConfigOption<Integer> ROUTER_SLOTS = key("gpufaas.router.slots-per-worker")
            .intType()
            .defaultValue(RouterSettings.DEFAULTS.slotsPerWorker())
            .withDescription("Invocations the router lets one worker hold at once to begin with, and at least: its "
                    + "concurrency plus enough to cover the report round trip. The rest wait in the router, where they "
                    + "can still be placed well. Credits adapt between this and gpufaas.router.max-slots-per-worker.");

    public static final ConfigOption<Integer> ROUTER_MAX_SLOTS = key("gpufaas.router.max-slots-per-worker")
            .intType()
            .defaultValue(RouterSettings.DEFAULTS.maxSlotsPerWorker())
            .withDescription("The most invocations the router lets one worker hold. Between slots-per-worker and this, "
                    + "each worker's credits adapt: a worker with long runs follows its report round trips (TCP Vegas "
                    + "style) and stays near slots-per-worker; a fast one (echo) follows the backlog it reports (its "
                    + "queued work in its own run times), so a busy host's slow reports do not close its credits. "
                    + "Equal to slots-per-worker: fixed slots. Below slots-per-worker, or above "
                    + "gpufaas.worker.queue-capacity, the job refuses to start, naming both.");

    public static final ConfigOption<Integer> ROUTER_MAX_BYPASS = key("gpufaas.router.out-of-order.max-bypass")
            .intType()
            .defaultValue(RouterSettings.DEFAULTS.maxBypass())
            .withDescription("How often out-of-order dispatch may overtake one waiting invocation. Policies that name "
                    + "the worker an invocation waits for (demand and ch-bl: its model's place) count only overtakes that "
                    + "start on that worker, and past the bound only that worker is kept for it; for the others nothing "
                    + "starts anywhere until the oldest has.");

    public static final ConfigOption<Double> ROUTER_MAX_OVERTAKEN_WORK = key("gpufaas.router.out-of-order.max-overtaken-work")
            .doubleType()
            .defaultValue(RouterSettings.DEFAULTS.maxOvertakenWork())
            .withDescription("How much work out-of-order dispatch may put ahead of one waiting invocation at the worker "
                    + "it waits for (policies that name it: demand and ch-bl, its model's place): once the expected run "
                    + "time of the invocations that overtook it there reaches this many times its own expected load and "
                    + "run, nothing more starts on that worker until it has (other workers go on). It bounds the wait of "
                    + "a cheap model behind an expensive one, which the count alone does not: 64 overtakes by an 8 s "
                    + "model are minutes. 0: nothing overtakes such an invocation there once it is the oldest.");

    public static final ConfigOption<Integer> ROUTER_WINDOW = key("gpufaas.router.out-of-order.window")
            .intType()
            .defaultValue(RouterSettings.DEFAULTS.window())
            .withDescription("How many models out-of-order dispatch looks at, oldest waiting first. Only each model's "
                    + "oldest invocation is a candidate: one model's invocations leave in arrival order, so a burst of one "
                    + "model cannot fill the window.");

    public static final ConfigOption<Duration> ROUTER_REPORT_TIMEOUT = key("gpufaas.router.report-timeout")
            .durationType()
            .defaultValue(Duration.ofMillis(RouterSettings.DEFAULTS.reportTimeoutMs()))
            .withDescription("A worker that reports nothing this long while holding invocations gets its slots back.");

    public static final ConfigOption<Integer> ROUTER_MAX_PENDING = key("gpufaas.router.max-pending")
            .intType()
            .defaultValue(RouterSettings.DEFAULTS.maxPending())
            .withDescription("Invocations the router holds waiting for a worker. Beyond it new ones end at once as "
                    + "ERROR results with code OVERLOADED (load shedding keeps memory bounded; back-pressure cannot "
                    + "cross the router's feedback loop). Waiting invocations past their deadline end as EXPIRED. "
                    + "gpufaas.router.max-pending-bytes bounds the same queue in bytes; this count bounds what a "
                    + "checkpoint of small invocations holds (a burst of 20,000 echo calls arrives far faster than "
                    + "any worker pool drains it).");

    public static final ConfigOption<MemorySize> ROUTER_MAX_PENDING_BYTES = key("gpufaas.router.max-pending-bytes")
            .memoryType()
            .defaultValue(new MemorySize(RouterSettings.DEFAULTS.maxPendingBytes()))
            .withDescription("Input bytes of the invocations the router holds waiting: the bound in bytes beside "
                    + "max-pending's bound in invocations. An invocation that would exceed it ends at once as an ERROR "
                    + "result with code OVERLOADED.");

    public static final ConfigOption<MemorySize> ROUTER_PAYLOAD_BYPASS = key("gpufaas.router.payload-bypass-threshold")
            .memoryType()
            .defaultValue(MemorySize.parse("16kb"))
            .withDescription("Inputs of at least this size go around the router: it decides on the invocation's id, "
                    + "function, version, deadline and size alone, while the bytes travel to a parallel payload join "
                    + "that sends the whole invocation to the chosen worker. So the one router subtask does not forward "
                    + "every image of every function. Smaller inputs travel with the invocation (the detour costs two "
                    + "small records and a hop). Set it above gpufaas.decode.max-record-size to keep every input on the "
                    + "router.");

    public static final ConfigOption<MemorySize> ROUTER_WORKER_MEMORY = key("gpufaas.router.worker-memory")
            .memoryType()
            .noDefaultValue()
            .withDescription("Device memory the router assumes per worker; defaults to the CPU memory budget. "
                    + "On GPUs set it to the device memory (workers also report theirs).");

    /** All options, for documentation and validation. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> all = new ArrayList<>();
        all.add(JOB_NAME);
        all.add(BOOTSTRAP_SERVERS);
        all.add(INVOCATIONS_TOPIC);
        all.add(RESULTS_TOPIC);
        all.add(DEAD_LETTERS_TOPIC);
        all.add(GROUP_ID);
        all.add(STARTING_OFFSETS);
        all.add(DELIVERY_GUARANTEE);
        all.add(TRANSACTIONAL_ID_PREFIX);
        all.add(CHECK_TOPICS);
        all.add(MAX_RECORD_SIZE);
        all.add(DEDUP_WINDOW);
        all.add(DEDUP_MAX_IDS);
        all.add(WORKER_PARALLELISM);
        all.add(FUNCTION_REPOSITORY);
        all.add(DEVICE_KIND);
        all.add(CPU_MEMORY_BUDGET);
        all.add(WORKER_CONCURRENCY);
        all.add(WORKER_QUEUE_CAPACITY);
        all.add(WORKER_TIMEOUT);
        all.add(WORKER_MAX_DECODED_BYTES);
        all.add(MAX_BATCH_SIZE);
        all.add(MAX_BATCH_DELAY);
        all.add(OUT_OF_ORDER);
        all.add(MAX_BYPASS);
        all.add(EVICTION_POLICY);
        all.add(WARM_RESTORE);
        all.add(STATUS_TOPIC);
        all.add(CONTROL_TOPIC);
        all.add(ROUTING_POLICY);
        all.add(ROUTER_SLOTS);
        all.add(ROUTER_MAX_BYPASS);
        all.add(ROUTER_MAX_OVERTAKEN_WORK);
        all.add(ROUTER_WINDOW);
        all.add(ROUTER_REPORT_TIMEOUT);
        all.add(ROUTER_WORKER_MEMORY);
        all.add(ROUTER_MAX_SLOTS);
        all.add(ROUTER_MAX_PENDING);
        all.add(ROUTER_MAX_PENDING_BYTES);
        all.add(ROUTER_PAYLOAD_BYPASS);
        return all;
    }
}
