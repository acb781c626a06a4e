package io.gpufaas.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    private static final SourcePosition POS = new SourcePosition("inv", 1, 7, 100L);

    @Test
    void resultsRoundTrip() {
        Invocation inv = new Invocation("id-1", "echo", Payload.text("x"), Invocation.NO_DEADLINE, Map.of("t", "1"), POS);
        InvocationResult ok = InvocationResult.ok(inv, "{\"text\":\"x\"}", new Timing(1, 2, 3, 6),
                new Placement(3, "cuda:1", true), 500L);
        InvocationResult error = InvocationResult.error(inv, ErrorCode.MODEL_LOAD_FAILED, "disk", Timing.none(),
                Placement.nowhere(), 501L);
        InvocationResult expired = InvocationResult.expired(inv, new Timing(9, 0, 0, 9), new Placement(0, "cpu:0", false), 502L);

        assertThat(EventJson.decodeResult(EventJson.encodeResult(ok))).isEqualTo(ok);
        assertThat(EventJson.decodeResult(EventJson.encodeResult(error))).isEqualTo(error);
        assertThat(EventJson.decodeResult(EventJson.encodeResult(expired))).isEqualTo(expired);
    }

    @Test
    void resultJsonHasTheDocumentedShape() {
        Invocation inv = new Invocation("id-1", "echo", Payload.text("x"), Invocation.NO_DEADLINE, Map.of(), POS);
        String json = new String(EventJson.encodeResult(InvocationResult.ok(inv, "{\"text\":\"x\"}",
                new Timing(1, 2, 3, 6), new Placement(3, "cuda:1", true), 500L)), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"v\":1,\"id\":\"id-1\",\"function\":\"echo\",\"status\":\"OK\","
                + "\"output\":{\"text\":\"x\"},\"timing\":{\"queuedMs\":1,\"loadMs\":2,\"execMs\":3,\"endToEndMs\":6},"
                + "\"placement\":{\"worker\":3,\"device\":\"cuda:1\",\"cacheHit\":true},\"completedAtMs\":500}");
    }

    @Test
    void deadLettersKeepTheRawBytes() {
        byte[] raw = {0, (byte) 0xFF, 'x', '\n'};
        DeadLetter letter = new DeadLetter(ErrorCode.MALFORMED, "not JSON", "", new RawRecord(POS, new byte[] {1}, raw));

        DeadLetter back = EventJson.decodeDeadLetter(EventJson.encodeDeadLetter(letter));

        assertThat(back).isEqualTo(letter);
        assertThat(back.record().value()).isEqualTo(raw);
    }

    @Test
    void aNullKeyOrValueIsToldApartFromAnEmptyOne() {
        DeadLetter nulls = new DeadLetter(ErrorCode.MALFORMED, "null", "", new RawRecord(POS, null, null));
        DeadLetter empties = new DeadLetter(ErrorCode.MALFORMED, "empty", "", new RawRecord(POS, new byte[0], new byte[0]));

        String nullJson = new String(EventJson.encodeDeadLetter(nulls), StandardCharsets.UTF_8);
        String emptyJson = new String(EventJson.encodeDeadLetter(empties), StandardCharsets.UTF_8);

        assertThat(nullJson).contains("\"key\":null").contains("\"value\":null");
        assertThat(emptyJson).contains("\"key\":\"\"").contains("\"value\":\"\"");
        assertThat(EventJson.decodeDeadLetter(EventJson.encodeDeadLetter(nulls))).isEqualTo(nulls);
        assertThat(EventJson.decodeDeadLetter(EventJson.encodeDeadLetter(empties))).isEqualTo(empties);
        assertThat(nulls.record()).isNotEqualTo(empties.record());
    }

    @Test
    void aReportWithoutItsResidentListSaysSo() {
        io.gpufaas.core.contract.WorkerReport full = new io.gpufaas.core.contract.WorkerReport(1, "f", "i", 1, 2, 3,
                java.util.List.of("a", "b"), 10, 11);
        assertThat(EventJson.decodeReport(EventJson.encodeReport(full))).isEqualTo(full);
        io.gpufaas.core.contract.WorkerReport without = full.withoutResidentList();
        assertThat(without.residentComplete()).isFalse();
        assertThat(EventJson.decodeReport(EventJson.encodeReport(without))).isEqualTo(without);
    }

    @Test
    void aBatchReportKeepsHowManyItEndsAndAnOldReportEndsOne() {
        io.gpufaas.core.contract.WorkerReport batch = new io.gpufaas.core.contract.WorkerReport(1, "f", "i", 1, 2, 3,
                java.util.List.of("a"), 10, 11).withCompleted(8);
        assertThat(EventJson.decodeReport(EventJson.encodeReport(batch)).completed()).isEqualTo(8);
        String older = "{\"v\":1,\"worker\":0,\"function\":\"f\",\"invocationId\":\"i\",\"loadMs\":0,\"execMs\":1,"
                + "\"bytes\":0,\"resident\":[],\"capacityBytes\":1,\"atMs\":1}";
        assertThat(EventJson.decodeReport(older.getBytes(StandardCharsets.UTF_8)).completed()).isEqualTo(1);
    }

    @Test
    void aReportCarriesTheWorkersBacklogAndAnOldOneSaysItIsUnknown() {
        io.gpufaas.core.contract.WorkerReport r = new io.gpufaas.core.contract.WorkerReport(1, "f", "i", 1, 2, 3,
                java.util.List.of("a"), 10, 11).withCompleted(3).withBacklogMs(2.5);
        assertThat(EventJson.decodeReport(EventJson.encodeReport(r))).isEqualTo(r);
        String older = "{\"v\":1,\"worker\":0,\"function\":\"f\",\"invocationId\":\"i\",\"loadMs\":0,\"execMs\":1,"
                + "\"bytes\":0,\"resident\":[],\"capacityBytes\":1,\"atMs\":1}";
        assertThat(EventJson.decodeReport(older.getBytes(StandardCharsets.UTF_8)).backlogMs())
                .isEqualTo(io.gpufaas.core.contract.WorkerReport.UNKNOWN_BACKLOG);
    }
}
