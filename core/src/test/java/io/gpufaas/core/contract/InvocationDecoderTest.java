package io.gpufaas.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.FunctionSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InvocationDecoderTest {

    private static final FunctionCatalog CATALOG = FunctionCatalog.of(List.of(
            new FunctionSpec("echo", EnumSet.allOf(InputKind.class), null),
            new FunctionSpec("resnet18", EnumSet.of(InputKind.IMAGE, InputKind.TENSOR), new long[] {-1, 3, 224, 224}),
            new FunctionSpec("mlp", EnumSet.of(InputKind.TENSOR), new long[] {1, 4})));

    private final InvocationDecoder decoder = new InvocationDecoder(CATALOG, DecodeLimits.withMaxRecordBytes(4096));

    private static final SourcePosition POS = new SourcePosition("inv", 2, 41, 1_700_000_000_000L);

    private DecodeOutcome decode(String json) {
        return decoder.decode(new RawRecord(POS, "k".getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8)));
    }

    private Invocation accepted(String json) {
        DecodeOutcome outcome = decode(json);
        assertThat(outcome).as("outcome of %s", json).isInstanceOf(DecodeOutcome.Accepted.class);
        return ((DecodeOutcome.Accepted) outcome).invocation();
    }

    private DeadLetter rejected(String json) {
        DecodeOutcome outcome = decode(json);
        assertThat(outcome).as("outcome of %s", json).isInstanceOf(DecodeOutcome.Rejected.class);
        return ((DecodeOutcome.Rejected) outcome).deadLetter();
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    @Test
    void acceptsATextInvocationWithAllOptionalFields() {
        Invocation inv = accepted("{\"v\":1,\"id\":\"inv-1\",\"function\":\"echo\",\"input\":{\"text\":\"hi\"},"
                + "\"deadlineMs\":1700000005000,\"metadata\":{\"tenant\":\"a\"},\"futureField\":true}");

        assertThat(inv.id()).isEqualTo("inv-1");
        assertThat(inv.function()).isEqualTo("echo");
        assertThat(inv.input()).isEqualTo(Payload.text("hi"));
        assertThat(inv.deadlineMs()).isEqualTo(1_700_000_005_000L);
        assertThat(inv.hasDeadline()).isTrue();
        assertThat(inv.metadata()).containsExactly(Map.entry("tenant", "a"));
        assertThat(inv.source()).isEqualTo(POS);
        assertThat(inv.arrivedAtMs()).isEqualTo(POS.timestampMs());
    }

    @Test
    void acceptsMimeWrappedBase64AndNamesAnIllegalCharacterInWords() {
        byte[] data = floats(new float[64]); // 256 bytes: 344 characters of base64, wrapped at 76
        String wrapped = Base64.getMimeEncoder().encodeToString(data).replace("\r\n", "\n");
        assertThat(wrapped).contains("\n");
        Invocation inv = accepted("{\"v\":1,\"id\":\"t\",\"function\":\"echo\",\"input\":{\"tensor\":"
                + "{\"dtype\":\"float32\",\"shape\":[64],\"data\":\"" + wrapped.replace("\n", "\\n") + "\"}}}");
        assertThat(inv.input().data()).isEqualTo(data);
        String crlf = Base64.getMimeEncoder().encodeToString(data);
        assertThat(accepted("{\"v\":1,\"id\":\"t\",\"function\":\"echo\",\"input\":{\"tensor\":"
                + "{\"dtype\":\"float32\",\"shape\":[64],\"data\":\"" + crlf.replace("\r\n", "\\r\\n") + "\"}}}")
                .input().data()).isEqualTo(data);

        DeadLetter space = rejected("{\"v\":1,\"id\":\"t\",\"function\":\"echo\",\"input\":{\"image\":\"AAAA AAAA\"}}");
        assertThat(space.reason()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(space.message()).contains("a space at position 4");
        DeadLetter urlSafe = rejected("{\"v\":1,\"id\":\"t\",\"function\":\"echo\",\"input\":{\"image\":\"AA-A\"}}");
        assertThat(urlSafe.message()).contains("URL-safe");
    }

    @Test
    void acceptsATensorOfTheDeclaredShape() {
        byte[] data = floats(1, 2, 3, 4);
        Invocation inv = accepted("{\"v\":1,\"id\":\"t\",\"function\":\"mlp\",\"input\":{\"tensor\":"
                + "{\"dtype\":\"float32\",\"shape\":[1,4],\"data\":\"" + b64(data) + "\"}}}");

        assertThat(inv.input().kind()).isEqualTo(InputKind.TENSOR);
        assertThat(inv.input().shape()).containsExactly(1, 4);
        assertThat(inv.input().data()).isEqualTo(data);
        assertThat(inv.hasDeadline()).isFalse();
    }

    @Test
    void wildcardDimensionsMatchAnySize() {
        // resnet18 declares [-1,3,224,224]; a batch of 2 at 224x224 would be too large for this
        // decoder's 4 KiB limit, so check the shape rule on the spec directly.
        FunctionSpec spec = CATALOG.find("resnet18").orElseThrow();
        assertThat(spec.acceptsShape(new long[] {2, 3, 224, 224})).isTrue();
        assertThat(spec.acceptsShape(new long[] {2, 3, 224, 225})).isFalse();
        assertThat(spec.acceptsShape(new long[] {3, 224, 224})).isFalse();
    }

    private static byte[] image(String format) throws Exception {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 6, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    @Test
    void acceptsPngAndJpegImages() throws Exception {
        byte[] png = image("png");
        byte[] jpeg = image("jpg");
        assertThat(accepted("{\"v\":1,\"id\":\"p\",\"function\":\"resnet18\",\"input\":{\"image\":\"" + b64(png) + "\"}}")
                .input().data()).isEqualTo(png);
        assertThat(accepted("{\"v\":1,\"id\":\"j\",\"function\":\"resnet18\",\"input\":{\"image\":\"" + b64(jpeg) + "\"}}")
                .input().kind()).isEqualTo(InputKind.IMAGE);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {not json                                                                   | MALFORMED
            []                                                                          | MALFORMED
            "a string"                                                                  | MALFORMED
            {"v":"1","id":"a","function":"echo","input":{"text":"x"}}                   | MALFORMED
            {"v":1,"id":"a","function":"echo","input":{"text":"x"},"id":"b"}            | MALFORMED
            {"v":1,"id":["a"],"function":"echo","input":{"text":"x"}}                   | MALFORMED
            {"v":1,"id":"a","function":7,"input":{"text":"x"}}                          | MALFORMED
            {"v":1,"id":"a","function":"echo","input":"x"}                              | MALFORMED
            {"v":1,"id":"a","function":"echo","input":{"text":5}}                       | MALFORMED
            {"v":1,"id":"a","function":"echo","input":{"text":"x"},"metadata":[1]}      | MALFORMED
            {"v":1,"id":"a","function":"echo","input":{"text":"x"},"metadata":{"k":1}}  | MALFORMED
            {"v":2,"id":"a","function":"echo","input":{"text":"x"}}                     | UNSUPPORTED_VERSION
            {"id":"a","function":"echo","input":{"text":"x"}}                           | INVALID_FIELD
            {"v":1,"function":"echo","input":{"text":"x"}}                              | INVALID_FIELD
            {"v":1,"id":"","function":"echo","input":{"text":"x"}}                      | INVALID_FIELD
            {"v":1,"id":"a b","function":"echo","input":{"text":"x"}}                   | INVALID_FIELD
            {"v":1,"id":"a","input":{"text":"x"}}                                       | INVALID_FIELD
            {"v":1,"id":"a","function":"echo"}                                          | INVALID_FIELD
            {"v":1,"id":"a","function":"echo","input":{}}                               | INVALID_FIELD
            {"v":1,"id":"a","function":"echo","input":{"text":"x","image":"eA=="}}      | INVALID_FIELD
            {"v":1,"id":"a","function":"echo","input":{"text":"x"},"deadlineMs":-1}     | INVALID_FIELD
            {"v":1,"id":"a","function":"echo","input":{"text":"x"},"deadlineMs":"soon"} | INVALID_FIELD
            {"v":1,"id":"a","function":"../models","input":{"text":"x"}}                | INVALID_FIELD
            {"v":1,"id":"a","function":"a/../../etc","input":{"text":"x"}}              | INVALID_FIELD
            {"v":1,"id":"a","function":"a..b","input":{"text":"x"}}                     | INVALID_FIELD
            {"v":1,"id":"a","function":"Echo","input":{"text":"x"}}                     | INVALID_FIELD
            {"v":1,"id":"a","function":"gpt-9","input":{"text":"x"}}                    | UNKNOWN_FUNCTION
            {"v":1,"id":"a","function":"mlp","input":{"text":"x"}}                      | INVALID_INPUT
            {"v":1,"id":"a","function":"echo","input":{"image":"!!!"}}                  | INVALID_INPUT
            {"v":1,"id":"a","function":"echo","input":{"image":"aGVsbG8="}}             | INVALID_INPUT
            {"v":1,"id":"a","function":"mlp","input":{"tensor":{"shape":[1,4],"dtype":"int8","data":""}}}  | INVALID_INPUT
            {"v":1,"id":"a","function":"mlp","input":{"tensor":{"shape":[1,3],"data":"AAAAAAAAAAAAAAAA"}}} | INVALID_INPUT
            {"v":1,"id":"a","function":"mlp","input":{"tensor":{"shape":[1,4],"data":"AAAAAA=="}}}         | INVALID_INPUT
            {"v":1,"id":"a","function":"echo","input":{"tensor":{"shape":[0],"data":""}}}                  | INVALID_INPUT
            {"v":1,"id":"a","function":"echo","input":{"tensor":{"shape":[],"data":""}}}                   | INVALID_INPUT
            {"v":1,"id":"a","function":"echo","input":{"tensor":{"shape":[1.5],"data":""}}}                | INVALID_INPUT
            {"v":1,"id":"a","function":"echo","input":{"tensor":{"shape":[1,1,1,1,1,1,1,1,1],"data":""}}}  | INVALID_INPUT
            {"v":1,"id":"a","function":"echo","input":{"tensor":{"shape":[4294967296,4294967296,4294967296],"data":""}}} | TOO_LARGE
            {"v":1,"id":"a","function":"echo","input":{"tensor":{"shape":[9223372036854775807],"data":""}}} | TOO_LARGE
            """)
    void rejectsWithReason(String json, ErrorCode expected) {
        DeadLetter letter = rejected(json);

        assertThat(letter.reason()).isEqualTo(expected);
        assertThat(letter.message()).isNotBlank();
        assertThat(letter.record().value()).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
        assertThat(letter.record().position()).isEqualTo(POS);
    }

    @Test
    void rejectsCorruptImagesAndPixelBombsBeforeAnyWorkerSeesThem() throws Exception {
        byte[] headerOnly = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        DeadLetter corrupt = rejected("{\"v\":1,\"id\":\"c\",\"function\":\"resnet18\",\"input\":{\"image\":\"" + b64(headerOnly) + "\"}}");
        assertThat(corrupt.reason()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(corrupt.message()).contains("image");

        // A valid PNG header declaring 100000 x 100000 pixels: refused without decoding.
        byte[] png = image("png");
        java.nio.ByteBuffer.wrap(png, 16, 8).putInt(100_000).putInt(100_000);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17);
        java.nio.ByteBuffer.wrap(png, 29, 4).putInt((int) crc.getValue());
        DeadLetter bomb = rejected("{\"v\":1,\"id\":\"b\",\"function\":\"resnet18\",\"input\":{\"image\":\"" + b64(png) + "\"}}");
        assertThat(bomb.reason()).isEqualTo(ErrorCode.TOO_LARGE);
    }

    @Test
    void rejectsNanAndInfinityInTensors() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            DeadLetter letter = rejected("{\"v\":1,\"id\":\"n\",\"function\":\"mlp\",\"input\":{\"tensor\":"
                    + "{\"shape\":[1,4],\"data\":\"" + b64(floats(0, 1, bad, 3)) + "\"}}}");
            assertThat(letter.reason()).isEqualTo(ErrorCode.INVALID_INPUT);
            assertThat(letter.message()).contains("element 2");
            assertThat(letter.invocationId()).isEqualTo("n");
        }
    }

    @Test
    void rejectsOversizeRecordsBeforeParsingThem() {
        String big = "{\"v\":1,\"id\":\"big\",\"function\":\"echo\",\"input\":{\"text\":\"" + "x".repeat(5000) + "\"}}";
        DeadLetter letter = rejected(big);
        assertThat(letter.reason()).isEqualTo(ErrorCode.TOO_LARGE);
        // Not parsed, so the id is unknown.
        assertThat(letter.invocationId()).isEmpty();
    }

    @Test
    void rejectsDeeplyNestedDocuments() {
        String nested = "{\"v\":1,\"id\":\"a\",\"function\":\"echo\",\"input\":{\"text\":\"x\"},\"x\":"
                + "[".repeat(100) + "]".repeat(100) + "}";
        assertThat(rejected(nested).reason()).isEqualTo(ErrorCode.MALFORMED);
    }

    @Test
    void rejectsTooManyMetadataEntries() {
        StringBuilder md = new StringBuilder("{");
        for (int i = 0; i < 33; i++) {
            md.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        md.append('}');
        DeadLetter letter = rejected("{\"v\":1,\"id\":\"a\",\"function\":\"echo\",\"input\":{\"text\":\"x\"},\"metadata\":" + md + "}");
        assertThat(letter.reason()).isEqualTo(ErrorCode.TOO_LARGE);
    }

    @Test
    void deadLetterCarriesTheIdOnceKnown() {
        assertThat(rejected("{\"v\":1,\"id\":\"known\",\"function\":\"nope\",\"input\":{\"text\":\"x\"}}")
                .invocationId()).isEqualTo("known");
        assertThat(rejected("{\"v\":1,\"function\":\"echo\"}").invocationId()).isEmpty();
    }

    @Test
    void encodedInvocationsDecodeToThemselves() {
        for (Payload p : List.of(Payload.text("héllo"), Payload.tensor(new long[] {1, 4}, floats(1, 2, 3, 4)))) {
            Invocation original = new Invocation("rt-1", p.kind() == InputKind.TEXT ? "echo" : "mlp", p,
                    1234L, Map.of("a", "b"), POS);
            DecodeOutcome outcome = decoder.decode(new RawRecord(POS, null, EventJson.encodeInvocation(original)));
            assertThat(outcome).isEqualTo(new DecodeOutcome.Accepted(original));
        }
    }

    @Test
    void aNullValueAndAnEmptyOneAreMalformedWithDifferentMessages() {
        DecodeOutcome nullValue = decoder.decode(new RawRecord(POS, null, null));
        DecodeOutcome empty = decoder.decode(new RawRecord(POS, new byte[0], new byte[0]));

        assertThat(nullValue).isInstanceOfSatisfying(DecodeOutcome.Rejected.class, r -> {
            assertThat(r.deadLetter().reason()).isEqualTo(ErrorCode.MALFORMED);
            assertThat(r.deadLetter().message()).contains("null");
            assertThat(r.deadLetter().record().nullValue()).isTrue();
        });
        assertThat(empty).isInstanceOfSatisfying(DecodeOutcome.Rejected.class, r -> {
            assertThat(r.deadLetter().reason()).isEqualTo(ErrorCode.MALFORMED);
            assertThat(r.deadLetter().message()).contains("empty");
            assertThat(r.deadLetter().record().nullValue()).isFalse();
        });
    }
}
