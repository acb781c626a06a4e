package io.gpufaas.operators.payload;

import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.router.payload.DetachedPayload;
import io.gpufaas.core.router.payload.RouterRequest;
import io.gpufaas.operators.metrics.GpuFaasMetric;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Chained behind decode: an invocation whose input is at least {@code thresholdBytes} goes to the
 * router without its bytes, and the bytes go around it to {@link PayloadJoin}, keyed by where the
 * invocation was read. The router decides on id, function, version, deadline and size alone, so
 * the one router subtask forwards a few hundred bytes per invocation however large its input
 * (docs/architecture.md, "past one router"). Smaller inputs ride along with the invocation: the
 * detour costs two more small records and one more hop for the decision.
 *
 * <p>Only invocations with a source position detach: the position is the key
 * ({@link DetachedPayload#keyOf}).
 */
public final class PayloadSplit extends ProcessFunction<Invocation, RouterRequest> {

    private static final long serialVersionUID = 1L;

    /** The payloads that go around the router. */
    public static final OutputTag<DetachedPayload> DETACHED = new OutputTag<>("detached-payloads") {};

    private final long thresholdBytes;
    private transient Counter detached;

    /** @param thresholdBytes inputs of at least this many bytes go around the router; {@link Long#MAX_VALUE}: none */
    public PayloadSplit(long thresholdBytes) {
        if (thresholdBytes < 1) {
            throw new IllegalArgumentException("the payload bypass threshold must be at least 1 byte, was " + thresholdBytes);
        }
        this.thresholdBytes = thresholdBytes;
    }

    @Override
    public void open(OpenContext openContext) {
        detached = GpuFaasMetric.PAYLOADS_DETACHED.counter(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(Invocation inv, Context ctx, Collector<RouterRequest> out) {
        String key = DetachedPayload.keyOf(inv.source());
        if (inv.input().data().length < thresholdBytes || key == null) {
            out.collect(RouterRequest.inline(inv));
            return;
        }
        detached.inc();
        ctx.output(DETACHED, new DetachedPayload(key, inv.input()));
        out.collect(RouterRequest.detached(inv, key));
    }
}
