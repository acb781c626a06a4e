package io.gpufaas.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.FunctionSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import javax.imageio.ImageIO;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The decoder fuzzed: 100,000 records in all (structured invocations with random fields, valid
 * ones mutated byte by byte, and plain random bytes). For every one, no exception escapes, there
 * is exactly one outcome, a dead letter keeps the record byte for byte with a reason and a
 * message, and that dead letter fits the smallest output topic the job accepts.
 */
class InvocationDecoderFuzzTest {

    private static final FunctionCatalog CATALOG = FunctionCatalog.of(List.of(
            new FunctionSpec("echo", EnumSet.allOf(InputKind.class), null),
            new FunctionSpec("resnet18", EnumSet.of(InputKind.IMAGE, InputKind.TENSOR), new long[] {-1, 3, 4, 4}),
            new FunctionSpec("mlp", EnumSet.of(InputKind.TENSOR), new long[] {1, 4})));

    private static final int MAX_RECORD_BYTES = 16 * 1024;
    private static final InvocationDecoder DECODER = new InvocationDecoder(CATALOG, DecodeLimits.withMaxRecordBytes(MAX_RECORD_BYTES));
    private static final SourcePosition POS = new SourcePosition("inv", 0, 1, 1_700_000_000_000L);
    private static final String PNG = Base64.getEncoder().encodeToString(png());

    @Property(tries = 40_000)
    void generatedInvocationsGetExactlyOneOutcome(@ForAll("invocations") String json, @ForAll("keys") byte[] key) {
        check(new RawRecord(POS, key, json.getBytes(StandardCharsets.UTF_8)));
    }

    @Property(tries = 40_000)
    void mutatedInvocationsGetExactlyOneOutcome(@ForAll("mutated") byte[] value) {
        check(new RawRecord(POS, "k".getBytes(StandardCharsets.UTF_8), value));
    }

    @Property(tries = 20_000)
    void randomBytesGetExactlyOneOutcome(@ForAll("randomBytes") byte[] value, @ForAll("keys") byte[] key) {
        check(new RawRecord(POS, key, value));
    }

    private static void check(RawRecord record) {
        DecodeOutcome outcome = DECODER.decode(record);
        assertThat(outcome).isNotNull();
        // The report lists the share of each outcome: the generators must reach every rule.
        Statistics.collect(outcome instanceof DecodeOutcome.Rejected r ? r.deadLetter().reason().name() : "ACCEPTED");
        if (outcome instanceof DecodeOutcome.Accepted a) {
            Invocation inv = a.invocation();
            assertThat(CATALOG.find(inv.function())).isPresent();
            assertThat(inv.id()).matches("[A-Za-z0-9._:\\-]{1,128}");
            assertThat(inv.source()).isEqualTo(POS);
        } else if (outcome instanceof DecodeOutcome.Rejected r) {
            DeadLetter letter = r.deadLetter();
            assertThat(letter.record()).isEqualTo(record);
            assertThat(letter.reason()).isNotNull().isNotEqualTo(ErrorCode.INTERNAL);
            assertThat(letter.message()).isNotBlank();
            assertThat(OutputFit.deadLetter(letter, OutputFit.MIN_RECORD_BYTES).value().length)
                    .isLessThanOrEqualTo(OutputFit.MIN_RECORD_BYTES);
        } else {
            throw new AssertionError("unknown outcome " + outcome);
        }
    }

    @Provide
    Arbitrary<byte[]> keys() {
        return Arbitraries.oneOf(Arbitraries.just((byte[]) null), Arbitraries.just(new byte[0]),
                Arbitraries.strings().ofMaxLength(40).map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    @Provide
    Arbitrary<byte[]> randomBytes() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(512),
                Arbitraries.strings().withChars("{}[]\":,0123456789.eE+-truefalsn \\u").ofMaxLength(256)
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> original = invocations().map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<List<Tuple.Tuple3<Integer, Integer, Byte>>> edits = Combinators.combine(
                        Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 1 << 20),
                        Arbitraries.bytes())
                .as(Tuple::of).list().ofMinSize(1).ofMaxSize(8);
        return Combinators.combine(original, edits).as(InvocationDecoderFuzzTest::mutate);
    }

    /** Flips, deletes, inserts, duplicates and truncates at the given positions. */
    private static byte[] mutate(byte[] bytes, List<Tuple.Tuple3<Integer, Integer, Byte>> edits) {
        byte[] b = bytes;
        for (Tuple.Tuple3<Integer, Integer, Byte> e : edits) {
            if (b.length == 0) {
                return b;
            }
            int at = e.get2() % b.length;
            switch (e.get1()) {
                case 0 -> b[at] = e.get3();
                case 1 -> b = concat(slice(b, 0, at), slice(b, Math.min(b.length, at + 1 + (e.get3() & 7)), b.length));
                case 2 -> b = concat(concat(slice(b, 0, at), new byte[] {e.get3()}), slice(b, at, b.length));
                case 3 -> b = concat(slice(b, 0, at), slice(b, at / 2, b.length));
                default -> b = slice(b, 0, at);
            }
        }
        return b;
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Mostly valid invocations (about a third pass), each field wrong now and then. */
    @Provide
    Arbitrary<String> invocations() {
        Arbitrary<String> v = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just("1")),
                Tuple.of(1, Arbitraries.of("2", "\"1\"", "1.5", "null", "-1", "1e0")));
        Arbitrary<String> id = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.strings().withChars("abcXYZ019._:-").ofMinLength(1).ofMaxLength(20)
                        .map(InvocationDecoderFuzzTest::quote)),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(140).map(InvocationDecoderFuzzTest::quote)),
                Tuple.of(1, Arbitraries.of("1", "null", "[]", "{}", "\"\"")));
        Arbitrary<String> function = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.of("echo", "resnet18", "mlp").map(InvocationDecoderFuzzTest::quote)),
                Tuple.of(1, Arbitraries.of("unknown-fn", "", "../x", "ECHO").map(InvocationDecoderFuzzTest::quote)),
                Tuple.of(1, Arbitraries.of("7", "null", "{}")));
        Arbitrary<String> input = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.strings().ofMaxLength(64).map(t -> "{\"text\":" + quote(t) + "}")),
                Tuple.of(3, Arbitraries.just("{\"image\":\"" + PNG + "\"}")),
                Tuple.of(1, Arbitraries.of("{\"image\":\"not-base64!\"}", "{\"image\":\"AAAA\"}",
                        "{\"image\":" + quote(Base64.getEncoder().encodeToString("GIF89a".getBytes(StandardCharsets.UTF_8))) + "}")),
                Tuple.of(4, tensors()),
                Tuple.of(1, Arbitraries.of("{}", "[]", "\"x\"", "null", "{\"text\":\"a\",\"image\":\"AAAA\"}", "{\"text\":5}")));
        Arbitrary<String> deadline = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(0, Long.MAX_VALUE).map(Object::toString)),
                Tuple.of(1, Arbitraries.longs().map(Object::toString)),
                Tuple.of(1, Arbitraries.of("\"soon\"", "1.5", "null")));
        Arbitrary<String> metadata = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.maps(Arbitraries.strings().ofMinLength(1).ofMaxLength(10),
                        Arbitraries.strings().ofMaxLength(40)).ofMaxSize(5).map(InvocationDecoderFuzzTest::object)),
                Tuple.of(1, Arbitraries.maps(Arbitraries.strings().ofMaxLength(10), Arbitraries.strings().ofMaxLength(300))
                        .ofMaxSize(40).map(InvocationDecoderFuzzTest::object)),
                Tuple.of(1, Arbitraries.of("{\"a\":1}", "[]", "\"m\"", "{\"a\":{\"b\":\"c\"}}")));
        // Each required field is left out one time in 20, each optional one half the time.
        Arbitrary<Integer> absent = Arbitraries.integers().between(0, 19);
        Arbitrary<Boolean> optional = Arbitraries.of(true, false);
        return Combinators.combine(v, id, function, input, deadline, metadata, absent, optional)
                .as((vv, i, f, in, d, m, gone, opt) -> {
                    StringBuilder sb = new StringBuilder("{");
                    field(sb, gone != 1, "v", vv);
                    field(sb, gone != 2, "id", i);
                    field(sb, gone != 3, "function", f);
                    field(sb, gone != 4, "input", in);
                    field(sb, opt, "deadlineMs", d);
                    field(sb, !opt || gone > 10, "metadata", m);
                    return sb.append('}').toString();
                });
    }

    private static String object(java.util.Map<String, String> m) {
        StringBuilder sb = new StringBuilder("{");
        m.forEach((k, val) -> sb.append(sb.length() > 1 ? "," : "").append(quote(k)).append(':').append(quote(val)));
        return sb.append('}').toString();
    }

    /** The shapes the catalogue declares, with the right data length, most of the time. */
    private Arbitrary<String> tensors() {
        Arbitrary<List<Long>> shape = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(List.of(1L, 4L), List.of(1L, 3L, 4L, 4L), List.of(2L, 3L, 4L, 4L))),
                Tuple.of(1, Arbitraries.longs().between(-2, 70_000).list().ofMaxSize(10)));
        Arbitrary<String> dtype = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just("float32")),
                Tuple.of(1, Arbitraries.of("int8", "")));
        Arbitrary<Float> first = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.floats().between(-10, 10)),
                Tuple.of(1, Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY)));
        Arbitrary<Integer> lengthError = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(-3, 3)));
        return Combinators.combine(shape, dtype, first, lengthError).as((s, t, fill, err) -> {
            long elements = s.stream().reduce(1L, (a, b) -> a * b);
            int n = (int) Math.max(0, Math.min(64, elements) + err);
            ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                b.putFloat(i == 0 ? fill : i);
            }
            return "{\"tensor\":{\"dtype\":" + quote(t) + ",\"shape\":" + s + ",\"data\":\""
                    + Base64.getEncoder().encodeToString(b.array()) + "\"}}";
        });
    }

    private static void field(StringBuilder sb, boolean present, String name, String json) {
        if (present) {
            sb.append(sb.length() > 1 ? "," : "").append('"').append(name).append("\":").append(json);
        }
    }

    /** A JSON string literal, escaping what JSON requires. */
    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static byte[] png() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
