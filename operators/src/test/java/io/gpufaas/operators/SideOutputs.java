package io.gpufaas.operators;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/** What an operator under test wrote to a side output. */
public final class SideOutputs {

    private SideOutputs() {}

    /** The values written to {@code tag} since the last call, taken out of the harness. */
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
