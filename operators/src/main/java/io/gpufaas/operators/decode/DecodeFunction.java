package io.gpufaas.operators.decode;

import io.gpufaas.core.event.DeadLetter;
import io.gpufaas.core.event.DecodeLimits;
import io.gpufaas.core.event.DecodeOutcome;
import io.gpufaas.core.event.InvocationDecoder;
import io.gpufaas.core.event.Invocation;
import io.gpufaas.core.event.RawRecord;
import io.gpufaas.core.event.ReasonCode;
import io.gpufaas.core.function.FunctionCatalog;
import io.gpufaas.core.function.FunctionSpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and validates raw records. Valid invocations go to the main output; everything else
 * goes to {@link #DEAD_LETTERS} with a reason. Metrics: {@code invocationsAccepted},
 * {@code deadLetters}, and {@code reason.<REASON>.deadLetters} per reason code.
 */
public final class DecodeFunction extends ProcessFunction<RawRecord, Invocation> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final List<FunctionSpec> functions;
    private final DecodeLimits limits;

    private transient InvocationDecoder decoder;
    private transient Counter accepted;
    private transient Counter deadLetters;
    private transient Map<ReasonCode, Counter> deadLettersByReason;

    public DecodeFunction(FunctionCatalog catalog, DecodeLimits limits) {
        this.functions = new ArrayList<>(catalog.all());
        this.limits = limits;
    }

    @Override
    public void open(OpenContext openContext) {
        decoder = new InvocationDecoder(FunctionCatalog.of(functions), limits);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        accepted = metrics.counter("invocationsAccepted");
        deadLetters = metrics.counter("deadLetters");
        deadLettersByReason = new EnumMap<>(ReasonCode.class);
        for (ReasonCode reason : ReasonCode.values()) {
            deadLettersByReason.put(reason, metrics.addGroup("reason", reason.name()).counter("deadLetters"));
        }
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<Invocation> out) {
        DecodeOutcome outcome = decoder.decode(record);
        if (outcome instanceof DecodeOutcome.Accepted a) {
            accepted.inc();
            out.collect(a.invocation());
        } else if (outcome instanceof DecodeOutcome.Rejected r) {
            deadLetters.inc();
            deadLettersByReason.get(r.deadLetter().reason()).inc();
            ctx.output(DEAD_LETTERS, r.deadLetter());
        }
    }
}
