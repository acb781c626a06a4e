package io.gpufaas.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class OutputFitTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SourcePosition POS = new SourcePosition("inv", 3, 99, 1_700_000_000_000L);
    private static final int LIMIT = OutputFit.MIN_RECORD_BYTES;

    private static InvocationResult okWithText(int chars, Map<String, String> metadata) {
        Invocation inv = new Invocation("inv-7", "echo", Payload.text("x"), Invocation.NO_DEADLINE, metadata, POS);
        return InvocationResult.ok(inv, "{\"text\":\"" + "a".repeat(chars) + "\"}", new Timing(1, 2, 3, 6),
                new Placement(1, "cpu:0", true), 5L);
    }

    @Test
    void aResultThatFitsIsWrittenAsItIs() {
        InvocationResult r = okWithText(100, Map.of());
        OutputFit.Encoded e = OutputFit.result(r, LIMIT);
        assertThat(e.reduced()).isFalse();
        assertThat(e.value()).isEqualTo(EventJson.encodeResult(r));
    }

    @Test
    void aResultExactlyAtTheLimitFitsAndOneByteMoreDoesNot() {
        InvocationResult probe = okWithText(0, Map.of());
        int fixed = EventJson.encodeResult(probe).length;
        InvocationResult atLimit = okWithText(LIMIT - fixed, Map.of());
        InvocationResult over = okWithText(LIMIT - fixed + 1, Map.of());

        assertThat(EventJson.encodeResult(atLimit)).hasSize(LIMIT);
        assertThat(OutputFit.result(atLimit, LIMIT).reduced()).isFalse();
        assertThat(OutputFit.result(over, LIMIT).reduced()).isTrue();
    }

    @Test
    void aResultTooLargeBecomesAnErrorWithBothSizesKeepingIdMetadataAndTiming() {
        InvocationResult big = okWithText(3 * LIMIT, Map.of("tenant", "a"));
        OutputFit.Encoded e = OutputFit.result(big, LIMIT);

        assertThat(e.reduced()).isTrue();
        assertThat(e.value().length).isLessThanOrEqualTo(LIMIT);
        assertThat(e.originalBytes()).isEqualTo(EventJson.encodeResult(big).length);
        InvocationResult back = EventJson.decodeResult(e.value());
        assertThat(back.status()).isEqualTo(ResultStatus.ERROR);
        assertThat(back.errorCode()).isEqualTo(ErrorCode.RESULT_TOO_LARGE.name());
        assertThat(back.errorMessage()).contains(Long.toString(e.originalBytes())).contains(Integer.toString(LIMIT));
        assertThat(back.id()).isEqualTo("inv-7");
        assertThat(back.metadata()).containsEntry("tenant", "a");
        assertThat(back.timing()).isEqualTo(big.timing());
        assertThat(back.placement()).isEqualTo(big.placement());
    }

    @Test
    void metadataThatWouldNotFitIsDroppedFromTheError() {
        Map<String, String> metadata = new HashMap<>();
        for (int i = 0; i < 32; i++) {
            metadata.put("k" + i, "\u0001".repeat(256)); // escaped to six characters each
        }
        OutputFit.Encoded e = OutputFit.result(okWithText(LIMIT, metadata), 32 * 1024);
        assertThat(e.value().length).isLessThanOrEqualTo(32 * 1024);
        assertThat(EventJson.decodeResult(e.value()).errorCode()).isEqualTo(ErrorCode.RESULT_TOO_LARGE.name());
    }

    @Test
    void outputThatIsNotJsonBecomesAnInternalErrorInsteadOfAnException() {
        Invocation inv = new Invocation("inv-8", "echo", Payload.text("x"), Invocation.NO_DEADLINE, Map.of(), POS);
        InvocationResult broken = InvocationResult.ok(inv, "{not json", Timing.none(), Placement.nowhere(), 1L);
        OutputFit.Encoded e = OutputFit.result(broken, LIMIT);
        assertThat(e.reduced()).isTrue();
        assertThat(EventJson.decodeResult(e.value()).errorCode()).isEqualTo(ErrorCode.INTERNAL.name());
    }

    @ParameterizedTest
    @ValueSource(ints = {65_536, 100_000, 1_048_576})
    void aDeadLetterTooLargeIsTruncatedWithSizeHashAndPrefix(int limit) throws Exception {
        byte[] value = new byte[900_000 + limit];
        new Random(limit).nextBytes(value);
        byte[] key = "bad-1".getBytes(StandardCharsets.UTF_8);
        DeadLetter letter = new DeadLetter(ErrorCode.MALFORMED, "not valid JSON: line 1\n  at /home/ci/x/y.java", "",
                new RawRecord(POS, key, value));

        OutputFit.Encoded e = OutputFit.deadLetter(letter, limit);

        assertThat(e.reduced()).isTrue();
        assertThat(e.value().length).isLessThanOrEqualTo(limit).isGreaterThan(limit - 8);
        JsonNode json = JSON.readTree(e.value());
        assertThat(json.path("truncated").asBoolean()).isTrue();
        assertThat(json.path("reason").asText()).isEqualTo("MALFORMED");
        assertThat(json.path("message").asText()).isEqualTo("not valid JSON: line 1");
        assertThat(json.path("source").path("offset").asLong()).isEqualTo(99);
        assertThat(json.path("source").path("partition").asInt()).isEqualTo(3);
        assertThat(json.path("valueSize").asLong()).isEqualTo(value.length);
        assertThat(json.path("valueSha256").asText()).isEqualTo(EventJson.sha256Hex(value));
        assertThat(json.path("keySize").asLong()).isEqualTo(key.length);
        DeadLetter back = EventJson.decodeDeadLetter(e.value());
        assertThat(back.record().key()).isEqualTo(key);
        byte[] prefix = back.record().value();
        assertThat(prefix.length).isGreaterThan(limit / 2);
        assertThat(prefix).isEqualTo(java.util.Arrays.copyOf(value, prefix.length));
        assertThat(EventJson.isTruncatedDeadLetter(e.value())).isTrue();
    }

    @Test
    void aDeadLetterThatFitsKeepsTheWholeRecord() {
        DeadLetter letter = new DeadLetter(ErrorCode.MALFORMED, "m", "", new RawRecord(POS, null, new byte[] {1, 2}));
        OutputFit.Encoded e = OutputFit.deadLetter(letter, LIMIT);
        assertThat(e.reduced()).isFalse();
        assertThat(EventJson.decodeDeadLetter(e.value())).isEqualTo(letter);
        assertThat(EventJson.isTruncatedDeadLetter(e.value())).isFalse();
    }

    @Test
    void aHugeKeyIsReplacedByItsHashAsTheKafkaKeyAndTruncatedInTheBody() {
        byte[] key = new byte[500_000];
        RawRecord record = new RawRecord(POS, key, new byte[10]);
        assertThat(new String(OutputFit.deadLetterKey(record), StandardCharsets.UTF_8))
                .isEqualTo("sha256:" + EventJson.sha256Hex(key));
        assertThat(OutputFit.deadLetterKey(new RawRecord(POS, null, new byte[0]))).isNull();
        assertThat(OutputFit.deadLetterKey(new RawRecord(POS, new byte[0], new byte[0]))).isEmpty();

        OutputFit.Encoded e = OutputFit.deadLetter(new DeadLetter(ErrorCode.INVALID_FIELD, "m", "", record), LIMIT);
        assertThat(e.value().length).isLessThanOrEqualTo(LIMIT);
        assertThat(EventJson.decodeDeadLetter(e.value()).record().key().length).isLessThanOrEqualTo(1024);
    }
}
