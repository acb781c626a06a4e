package io.gpufaas.operators.payload;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.SourcePosition;
import io.gpufaas.core.router.Routed;
import io.gpufaas.core.router.payload.DetachedPayload;
import io.gpufaas.core.router.payload.PayloadDecision;
import io.gpufaas.core.router.payload.RouterRequest;
import io.gpufaas.operators.HarnessOutputs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class PayloadJoinTest {

    private static KeyedTwoInputStreamOperatorTestHarness<String, DetachedPayload, PayloadDecision, Routed> harness()
            throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new PayloadJoin()),
                DetachedPayload::key, PayloadDecision::key, Types.STRING);
    }

    private static Invocation invocation(int i, byte[] bytes) {
        return new Invocation("id-" + i, "echo", Payload.image(bytes), Invocation.NO_DEADLINE, Map.of(),
                new SourcePosition("inv", 0, i, 1));
    }

    private static String key(int i) {
        return DetachedPayload.keyOf(new SourcePosition("inv", 0, i, 1));
    }

    private static byte[] bytes(int i) {
        byte[] b = new byte[20_000 + i];
        b[0] = (byte) i;
        b[b.length - 1] = (byte) (i * 7);
        return b;
    }

    private static List<Routed> routed(KeyedTwoInputStreamOperatorTestHarness<String, DetachedPayload, PayloadDecision, Routed> h) {
        return HarnessOutputs.drain(h);
    }

    private static List<DeadLetter> deadLetters(KeyedTwoInputStreamOperatorTestHarness<String, DetachedPayload, PayloadDecision, Routed> h) {
        return HarnessOutputs.drain(h, PayloadJoin.DEAD_LETTERS);
    }

    @Test
    void theInvocationLeavesWholeWhicheverHalfArrivesFirstAndAcrossACheckpoint() throws Exception {
        Invocation first = invocation(1, bytes(1));
        Invocation second = invocation(2, bytes(2));
        Routed toWorker1 = new Routed(RouterRequest.detached(first, "k").invocation(), 1, true, List.of("old@1"));
        Routed toWorker0 = new Routed(RouterRequest.detached(second, "k").invocation(), 0, false, List.of());
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement1(new StreamRecord<>(new DetachedPayload(key(1), first.input())));  // payload first
            h.processElement2(new StreamRecord<>(PayloadDecision.run(key(2), toWorker0)));      // decision first
            assertThat(routed(h)).isEmpty();
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.processElement2(new StreamRecord<>(PayloadDecision.run(key(1), toWorker1)));
            h.processElement1(new StreamRecord<>(new DetachedPayload(key(2), second.input())));
            List<Routed> out = routed(h);
            assertThat(out).extracting(r -> r.invocation()).containsExactly(first, second);
            assertThat(out.get(0)).satisfies(r -> {
                assertThat(r.worker()).isEqualTo(1);
                assertThat(r.load()).isTrue();
                assertThat(r.evict()).containsExactly("old@1");
            });
            assertThat(h.numKeyedStateEntries()).as("nothing left waiting").isZero();
        }
    }

    @Test
    void aDuplicateBecomesADeadLetterWithItsPayloadAndADropReleasesIt() throws Exception {
        Invocation dup = invocation(3, bytes(3));
        try (var h = harness()) {
            h.open();
            h.processElement1(new StreamRecord<>(new DetachedPayload(key(3), dup.input())));
            h.processElement2(new StreamRecord<>(PayloadDecision.deadLetter(key(3), RouterRequest.detached(dup, "k").invocation(),
                    ErrorCode.DUPLICATE, "seen before")));
            h.processElement2(new StreamRecord<>(PayloadDecision.drop(key(4))));
            h.processElement1(new StreamRecord<>(new DetachedPayload(key(4), invocation(4, bytes(4)).input())));
            assertThat(routed(h)).isEmpty();
            assertThat(deadLetters(h)).singleElement().satisfies(d -> {
                assertThat(d.reason()).isEqualTo(ErrorCode.DUPLICATE);
                assertThat(d.invocationId()).isEqualTo("id-3");
                assertThat(d.record().value()).isEqualTo(EventJson.encodeInvocation(dup));
            });
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    /**
     * Property: in any order of arrival, with checkpoints and restores anywhere between, each
     * invocation ends exactly once as its decision says, with its own bytes, and nothing waits after.
     */
    @Test
    void everyPayloadLeavesExactlyOnceAsDecidedInAnyOrder() throws Exception {
        for (long seed = 0; seed < 30; seed++) {
            Random random = new Random(seed);
            int n = 1 + random.nextInt(40);
            List<Object> events = new ArrayList<>();
            Map<String, Invocation> invocations = new HashMap<>();
            Map<String, String> decided = new HashMap<>();
            for (int i = 0; i < n; i++) {
                Invocation inv = invocation(i, bytes(i));
                invocations.put(inv.id(), inv);
                events.add(new DetachedPayload(key(i), inv.input()));
                int kind = random.nextInt(3);
                PayloadDecision d = switch (kind) {
                    case 0 -> PayloadDecision.run(key(i), new Routed(RouterRequest.detached(inv, "k").invocation(), random.nextInt(4), true, List.of()));
                    case 1 -> PayloadDecision.drop(key(i));
                    default -> PayloadDecision.deadLetter(key(i), RouterRequest.detached(inv, "k").invocation(), ErrorCode.DUPLICATE, "dup");
                };
                decided.put(inv.id(), kind == 0 ? "run" : kind == 1 ? "drop" : "dead");
                events.add(d);
            }
            Collections.shuffle(events, random);
            List<Routed> out = new ArrayList<>();
            List<DeadLetter> letters = new ArrayList<>();
            OperatorSubtaskState snapshot = null;
            int at = 0;
            while (at < events.size()) {
                try (var h = harness()) {
                    if (snapshot != null) {
                        h.initializeState(snapshot);
                    }
                    h.open();
                    int until = Math.min(events.size(), at + 1 + random.nextInt(events.size()));
                    for (; at < until; at++) {
                        Object e = events.get(at);
                        if (e instanceof DetachedPayload p) {
                            h.processElement1(new StreamRecord<>(p));
                        } else {
                            h.processElement2(new StreamRecord<>((PayloadDecision) e));
                        }
                    }
                    out.addAll(routed(h));
                    letters.addAll(deadLetters(h));
                    if (at == events.size()) {
                        assertThat(h.numKeyedStateEntries()).as("seed %d: nothing waits", seed).isZero();
                    }
                    snapshot = h.snapshot(at, at);
                }
            }
            long runs = decided.values().stream().filter("run"::equals).count();
            long dead = decided.values().stream().filter("dead"::equals).count();
            assertThat(out).as("seed %d", seed).hasSize((int) runs);
            out.forEach(r -> {
                assertThat(decided.get(r.invocation().id())).isEqualTo("run");
                assertThat(r.invocation()).isEqualTo(invocations.get(r.invocation().id()));
            });
            assertThat(letters).as("seed %d", seed).hasSize((int) dead);
            letters.forEach(d -> assertThat(d.record().value())
                    .isEqualTo(EventJson.encodeInvocation(invocations.get(d.invocationId()))));
        }
    }
}
