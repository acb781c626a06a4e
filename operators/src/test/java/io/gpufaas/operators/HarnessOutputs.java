package io.gpufaas.operators;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/** What an operator under test wrote, taken out of its harness. */
public final class HarnessOutputs {

    private HarnessOutputs() {}

    /** The records written to the main output since the last call (watermarks and the like skipped). */
    @SuppressWarnings("unchecked")
    public static <X> List<X> drain(AbstractStreamOperatorTestHarness<X> h) {
        List<X> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add((X) r.getValue());
            }
        }
        h.getOutput().clear();
        return out;
    }

    /** The values written to {@code tag} since the last call. */
    public static <X> List<X> drain(AbstractStreamOperatorTestHarness<?> h, OutputTag<X> tag) {
        List<X> out = new ArrayList<>();
        var side = h.getSideOutput(tag);
        if (side != null) { // null until the first record on it
            side.forEach(r -> out.add(r.getValue()));
            side.clear();
        }
        return out;
    }
}
