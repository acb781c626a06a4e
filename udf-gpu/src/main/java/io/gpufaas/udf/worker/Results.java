package io.gpufaas.udf.worker;

import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.Placement;
import io.gpufaas.core.contract.Timing;
import io.gpufaas.udf.api.ExecutionOutcome;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one worker's results: where it ran, and how long each invocation queued, loaded and ran.
 * A miss owns its model's load time; a hit owns none.
 */
final class Results {

    private final int worker;
    private final String device;

    Results(int worker, String device) {
        this.worker = worker;
        this.device = device;
    }

    static List<Payload> inputs(List<Invocation> invocations) {
        List<Payload> inputs = new ArrayList<>(invocations.size());
        invocations.forEach(i -> inputs.add(i.input()));
        return inputs;
    }

    /** The outcomes of a batch that ran from {@code startMs} to {@code endMs}. */
    List<InvocationResult> ran(List<Invocation> batch, List<Boolean> hits, List<ExecutionOutcome> outcomes, long loadMs,
            long startMs, long endMs) {
        if (outcomes == null || outcomes.size() != batch.size()) {
            throw new IllegalStateException("the function returned " + (outcomes == null ? "no" : outcomes.size())
                    + " outcomes for " + batch.size() + " inputs");
        }
        List<InvocationResult> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Invocation inv = batch.get(i);
            Timing timing = timing(inv, hits.get(i), loadMs, startMs, endMs);
            Placement placement = placement(inv, hits.get(i));
            out.add(outcomes.get(i) instanceof ExecutionOutcome.Success s
                    ? InvocationResult.ok(inv, s.outputJson(), timing, placement, endMs)
                    : InvocationResult.error(inv, ((ExecutionOutcome.Failure) outcomes.get(i)).code(),
                            ((ExecutionOutcome.Failure) outcomes.get(i)).message(), timing, placement, endMs));
        }
        return out;
    }

    /** Every invocation of a batch whose run threw ends INTERNAL with {@code message}. */
    List<InvocationResult> crashed(List<Invocation> batch, List<Boolean> hits, String message, long loadMs, long startMs,
            long endMs) {
        List<InvocationResult> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            out.add(InvocationResult.error(batch.get(i), ErrorCode.INTERNAL, message,
                    timing(batch.get(i), hits.get(i), loadMs, startMs, endMs), placement(batch.get(i), hits.get(i)), endMs));
        }
        return out;
    }

    InvocationResult failed(Invocation inv, boolean hit, ErrorCode code, String message, long nowMs) {
        return InvocationResult.error(inv, code, message, Timing.waitedOnly(inv, nowMs), placement(inv, hit), nowMs);
    }

    InvocationResult expired(Invocation inv, boolean hit, long nowMs) {
        return InvocationResult.expired(inv, Timing.waitedOnly(inv, nowMs), placement(inv, hit), nowMs);
    }

    private static Timing timing(Invocation inv, boolean hit, long loadMs, long startMs, long endMs) {
        long ownLoad = hit ? 0 : loadMs;
        long waited = Math.max(0, startMs - inv.arrivedAtMs() - ownLoad);
        return new Timing(waited, ownLoad, endMs - startMs, Math.max(0, endMs - inv.arrivedAtMs()));
    }

    /** Where it ran, and which version of its model: the one it asked for, which is the one loaded. */
    private Placement placement(Invocation inv, boolean hit) {
        return new Placement(worker, device, hit, inv.version());
    }
}
