package io.gpufaas.operators.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.SourcePosition;
import io.gpufaas.core.router.payload.RouterRequest;
import java.util.Map;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class PayloadSplitTest {

    private static Invocation invocation(String id, int bytes, SourcePosition at) {
        return new Invocation(id, "echo", Payload.image(new byte[bytes]), Invocation.NO_DEADLINE, Map.of("k", "v"), at);
    }

    @Test
    void inputsAtTheThresholdGoAroundTheRouterKeyedByWhereTheyWereReadAndSmallerOnesStay() throws Exception {
        SourcePosition at = new SourcePosition("inv", 3, 42, 7);
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new PayloadSplit(1_000)))) {
            h.open();
            Invocation large = invocation("large", 1_000, at);
            Invocation small = invocation("small", 999, at);
            Invocation unplaced = invocation("unknown", 5_000, SourcePosition.unknown());
            h.processElement(new StreamRecord<>(large));
            h.processElement(new StreamRecord<>(small));
            h.processElement(new StreamRecord<>(unplaced));

            assertThat(h.extractOutputValues()).satisfiesExactly(
                    r -> {
                        assertThat(r.payloadKey()).isEqualTo("inv/3@42");
                        assertThat(r.invocation().input().data()).isEmpty();
                        assertThat(r.invocation().input().kind()).isEqualTo(large.input().kind());
                        assertThat(r.invocation().metadata()).isEqualTo(large.metadata());
                        assertThat(r.sizeBytes()).as("the router counts the bytes it does not carry").isEqualTo(large.sizeBytes());
                    },
                    r -> assertThat(r).isEqualTo(RouterRequest.inline(small)),
                    r -> assertThat(r).as("no position, no key: it stays").isEqualTo(RouterRequest.inline(unplaced)));
            assertThat(h.getSideOutput(PayloadSplit.DETACHED)).singleElement().satisfies(p -> {
                assertThat(p.getValue().key()).isEqualTo("inv/3@42");
                assertThat(p.getValue().payload()).isEqualTo(large.input());
            });
            assertThat(h.getSideOutput(PayloadSplit.DETACHED).peek().getValue().into(h.extractOutputValues().get(0).invocation()))
                    .as("whole again").isEqualTo(large);
        }
    }

    @Test
    void aThresholdBelowOneByteIsRefused() {
        assertThatThrownBy(() -> new PayloadSplit(0)).hasMessageContaining("at least 1 byte");
    }
}
