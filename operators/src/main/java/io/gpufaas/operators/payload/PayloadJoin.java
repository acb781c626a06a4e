package io.gpufaas.operators.payload;

import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.ErrorMessages;
import io.gpufaas.core.contract.FatalErrors;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Placement;
import io.gpufaas.core.contract.Timing;
import io.gpufaas.core.router.Routed;
import io.gpufaas.core.router.payload.DetachedPayload;
import io.gpufaas.core.router.payload.PayloadDecision;
import io.gpufaas.core.time.Clock;
import io.gpufaas.operators.metrics.GpuFaasMetric;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a detached payload ({@link PayloadSplit}) meets the router's decision on its invocation,
 * keyed by the payload's key: whichever arrives first waits in keyed state for the other (so both
 * are in every checkpoint and exactly-once holds), then the invocation, whole again, goes to the
 * worker the router chose, or its payload is released, or it becomes a dead letter.
 *
 * <p>What waits here is bounded with the router's queue: the router counts a detached invocation's
 * payload in its bytes waiting ({@code gpufaas.router.max-pending-bytes}) until its decision, and
 * the decision follows at once.
 *
 * <p>Handling one record never fails the job: a join that throws ends the invocation as an
 * {@code INTERNAL} error result ({@code payloadJoinErrors}).
 */
public final class PayloadJoin extends KeyedCoProcessFunction<String, DetachedPayload, PayloadDecision, Routed> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PayloadJoin.class);
    /** The one clock of this operator: the timestamps of the results it ends. */
    private static final Clock CLOCK = Clock.system();

    /** Duplicates of detached invocations, written with their payload. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("payload-dead-letters") {};

    /** Invocations whose join failed: INTERNAL error results. */
    public static final OutputTag<InvocationResult> RESULTS = new OutputTag<>("payload-join-results") {};

    private transient ValueState<DetachedPayload> payload;
    private transient ValueState<PayloadDecision> decision;
    private transient Counter joined;
    private transient Counter dropped;
    private transient Counter errors;

    @Override
    public void open(OpenContext openContext) {
        payload = getRuntimeContext().getState(new ValueStateDescriptor<>("payload", DetachedPayload.class));
        decision = getRuntimeContext().getState(new ValueStateDescriptor<>("decision", PayloadDecision.class));
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        joined = GpuFaasMetric.PAYLOADS_JOINED.counter(metrics);
        dropped = GpuFaasMetric.PAYLOADS_DROPPED.counter(metrics);
        errors = GpuFaasMetric.PAYLOAD_JOIN_ERRORS.counter(metrics);
    }

    @Override
    public void processElement1(DetachedPayload p, Context ctx, Collector<Routed> out) throws Exception {
        PayloadDecision d = decision.value();
        if (d == null) {
            payload.update(p);
            return;
        }
        decision.clear();
        act(d, p, ctx, out);
    }

    @Override
    public void processElement2(PayloadDecision d, Context ctx, Collector<Routed> out) throws Exception {
        DetachedPayload p = payload.value();
        if (p == null) {
            decision.update(d);
            return;
        }
        payload.clear();
        act(d, p, ctx, out);
    }

    private void act(PayloadDecision d, DetachedPayload input, Context ctx, Collector<Routed> out) {
        try {
            if (d.routed() != null) {
                Routed r = d.routed();
                out.collect(new Routed(input.into(r.invocation()), r.worker(), r.load(), r.evict()));
                joined.inc();
            } else if (d.deadLetterOf() != null) {
                ctx.output(DEAD_LETTERS, DeadLetter.of(input.into(d.deadLetterOf()), d.deadLetterCode(),
                        d.deadLetterReason()));
                dropped.inc();
            } else {
                dropped.inc();
            }
        } catch (Throwable t) {
            FatalErrors.rethrowIfFatal(t);
            errors.inc();
            Invocation inv = d.routed() != null ? d.routed().invocation() : d.deadLetterOf();
            LOG.error("payload join: the payload under {} could not be joined with its decision", d.key(), t);
            if (inv != null) {
                long now = CLOCK.millis();
                ctx.output(RESULTS, InvocationResult.internalError(inv, "joining its payload failed: "
                        + ErrorMessages.brief(t), Timing.waitedOnly(inv, now), Placement.nowhere(), now));
            }
        }
    }
}
