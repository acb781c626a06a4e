package io.gpufaas.operators.decode;

import io.gpufaas.core.contract.ControlCommand;
import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.DecodeLimits;
import io.gpufaas.core.contract.DecodeOutcome;
import io.gpufaas.core.contract.Deployment;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.ErrorMessages;
import io.gpufaas.core.contract.FatalErrors;
import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.FunctionSpec;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationDecoder;
import io.gpufaas.core.contract.RawRecord;
import io.gpufaas.operators.metrics.GpuFaasMetric;
import io.gpufaas.udf.FunctionRegistry;
import io.gpufaas.udf.RegistryLoader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes and validates raw invocation records against the deployed functions. Valid invocations
 * go to the main output; everything else to {@link #DEAD_LETTERS} with a reason. The second,
 * broadcast input is the control topic: functions deployed and removed while the job runs, kept
 * in broadcast state ({@link #DEPLOYMENTS}) over the functions deployed at submission. A bad
 * control record is a dead letter too (written once, by subtask 0).
 *
 * <p>Built-in functions ({@code echo}) cannot be removed: the command becomes an
 * {@code INVALID_FIELD} dead letter. Deploying one is accepted and restores it (undoing a removal
 * that an older version of the job accepted and the compacted control topic still replays).
 *
 * <p>Handling one record never fails the job: whatever decoding throws makes that record an
 * {@code INTERNAL} dead letter, logged with its position.
 *
 * <p>Metrics: {@code invocationsAccepted}, {@code deadLetters}, {@code reason.<REASON>.deadLetters},
 * {@code functionsDeployed}, {@code functionsRemoved}.
 */
public final class DecodeFunction extends BroadcastProcessFunction<RawRecord, RawRecord, Invocation> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeFunction.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    /**
     * Functions removed on the control topic, once each (by subtask 0): the router ends their
     * waiting invocations.
     */
    public static final OutputTag<String> REMOVALS = new OutputTag<>("removals") {};

    public static final MapStateDescriptor<String, Deployment> DEPLOYMENTS = new MapStateDescriptor<>(
            "deployments", TypeInformation.of(String.class), TypeInformation.of(Deployment.class));

    private final List<FunctionSpec> initial;
    private final DecodeLimits limits;
    private final RegistryLoader registryLoader;

    private transient Map<String, FunctionSpec> builtins;
    /** Where a function deployed while the job runs is read from; read at the first DEPLOY. */
    private transient FunctionRegistry registry;
    private transient Map<String, Deployment> overrides;
    private transient boolean overridesLoaded;
    private transient InvocationDecoder decoder;
    /** The functions deployed now: those at submission with the control topic's changes over them. */
    private transient FunctionCatalog deployedNow;
    private transient Counter accepted;
    private transient Counter deadLetters;
    private transient Map<ErrorCode, Counter> deadLettersByReason;
    private transient Counter deployed;
    private transient Counter removed;

    public DecodeFunction(FunctionCatalog catalog, DecodeLimits limits, RegistryLoader registryLoader) {
        this.initial = new ArrayList<>(catalog.all());
        this.limits = limits;
        this.registryLoader = registryLoader;
    }

    @Override
    public void open(OpenContext openContext) {
        overrides = new HashMap<>();
        builtins = new HashMap<>();
        FunctionRegistry.builtins().all().forEach(spec -> builtins.put(spec.name(), spec));
        Map<String, FunctionSpec> base = new LinkedHashMap<>();
        initial.forEach(s -> base.put(s.name(), s));
        deployedNow = new FunctionCatalog() {
            @Override
            public Optional<FunctionSpec> find(String name) {
                Deployment d = overrides.get(name);
                return d != null ? Optional.ofNullable(d.spec()) : Optional.ofNullable(base.get(name));
            }

            @Override
            public Collection<FunctionSpec> all() {
                Map<String, FunctionSpec> all = new LinkedHashMap<>(base);
                overrides.forEach((n, d) -> {
                    if (d.deployed()) {
                        all.put(n, d.spec());
                    } else {
                        all.remove(n);
                    }
                });
                return all.values();
            }
        };
        decoder = new InvocationDecoder(deployedNow, limits);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        accepted = GpuFaasMetric.INVOCATIONS_ACCEPTED.counter(metrics);
        deadLetters = GpuFaasMetric.DEAD_LETTERS.counter(metrics);
        deployed = GpuFaasMetric.FUNCTIONS_DEPLOYED.counter(metrics);
        removed = GpuFaasMetric.FUNCTIONS_REMOVED.counter(metrics);
        deadLettersByReason = new EnumMap<>(ErrorCode.class);
        for (ErrorCode reason : ErrorCode.values()) {
            deadLettersByReason.put(reason, GpuFaasMetric.DEAD_LETTERS.counter(metrics.addGroup("reason", reason.name())));
        }
    }

    @Override
    public void processElement(RawRecord record, ReadOnlyContext ctx, Collector<Invocation> out) throws Exception {
        if (!overridesLoaded) {
            // After a restore the broadcast state holds earlier deployments; mirror it once.
            for (Map.Entry<String, Deployment> e : ctx.getBroadcastState(DEPLOYMENTS).immutableEntries()) {
                if (builtins.containsKey(e.getKey()) && !e.getValue().deployed()) {
                    // Checkpointed by a version of the job that let built-ins be removed.
                    LOG.warn("ignoring the checkpointed removal of built-in function '{}'", e.getKey());
                    continue;
                }
                overrides.put(e.getKey(), e.getValue());
            }
            overridesLoaded = true;
        }
        DecodeOutcome outcome;
        try {
            outcome = decoder.decode(record);
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            LOG.error("decoding the record at {} failed; it becomes an INTERNAL dead letter", record.position(), t);
            outcome = new DecodeOutcome.Rejected(new DeadLetter(ErrorCode.INTERNAL,
                    "decoding failed: " + ErrorMessages.brief(t), "", record));
        }
        if (outcome instanceof DecodeOutcome.Accepted a) {
            accepted.inc();
            out.collect(a.invocation());
        } else if (outcome instanceof DecodeOutcome.Rejected r) {
            deadLetter(r.deadLetter(), ctx::output);
        }
    }

    @Override
    public void processBroadcastElement(RawRecord record, Context ctx, Collector<Invocation> out) throws Exception {
        boolean reporter = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
        try {
            Optional<DeadLetter> rejected = apply(record, ctx, reporter);
            if (rejected.isPresent() && reporter) {
                deadLetter(rejected.get(), ctx::output);
            }
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            LOG.error("the control record at {} could not be applied", record.position(), t);
            if (reporter) {
                deadLetter(new DeadLetter(ErrorCode.INTERNAL, "applying the command failed: " + ErrorMessages.brief(t),
                        "", record), ctx::output);
            }
        }
    }

    /** Applies one control command; the dead letter it becomes if it cannot be applied. */
    private Optional<DeadLetter> apply(RawRecord record, Context ctx, boolean reporter) throws Exception {
        ControlCommand.Parsed parsed = ControlCommand.parse(record);
        if (parsed instanceof ControlCommand.Parsed.Rejected r) {
            return Optional.of(r.deadLetter());
        }
        ControlCommand command = ((ControlCommand.Parsed.Command) parsed).command();
        FunctionSpec builtin = builtins.get(command.function());
        Deployment deployment;
        if (command.action() == ControlCommand.Action.REMOVE) {
            if (builtin != null) {
                return Optional.of(new DeadLetter(ErrorCode.INVALID_FIELD, "'" + command.function()
                        + "' is a built-in function and cannot be removed", "", record));
            }
            if (deployedNow.find(command.function()).isEmpty()) {
                return Optional.of(new DeadLetter(ErrorCode.UNKNOWN_FUNCTION, "cannot remove '" + command.function()
                        + "': no function of that name is deployed", "", record));
            }
            deployment = Deployment.removed(command.function());
            removed.inc();
            if (reporter) {
                ctx.output(REMOVALS, command.function());
            }
        } else if (builtin != null) {
            if (command.version() > 0) {
                return Optional.of(new DeadLetter(ErrorCode.INVALID_FIELD, "'" + command.function()
                        + "' is a built-in function and has no model versions", "", record));
            }
            deployment = Deployment.deployed(builtin);
            deployed.inc();
        } else {
            if (registry == null) {
                registry = registryLoader.forDeploys();
            }
            FunctionRegistry.Resolution resolution = registry.resolve(command.function(), command.version());
            if (resolution.function() == null) {
                return Optional.of(new DeadLetter(ErrorCode.UNKNOWN_FUNCTION, "cannot deploy '" + command.function()
                        + "': " + resolution.problem(), "", record));
            }
            deployment = Deployment.deployed(resolution.function().spec());
            deployed.inc();
        }
        ctx.getBroadcastState(DEPLOYMENTS).put(command.function(), deployment);
        overrides.put(command.function(), deployment);
        return Optional.empty();
    }

    private void deadLetter(DeadLetter letter, java.util.function.BiConsumer<OutputTag<DeadLetter>, DeadLetter> output) {
        deadLetters.inc();
        deadLettersByReason.get(letter.reason()).inc();
        output.accept(DEAD_LETTERS, letter);
    }
}
