package io.gpufaas.job.local;

import io.gpufaas.core.contract.EventJson;
import io.gpufaas.core.contract.InputKind;
import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.FunctionSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A handful of invocations for demos and tests: valid ones of every input kind, and bad ones that
 * each exercise one dead-letter reason.
 */
public final class SampleInvocations {

    /** One record to send; {@code expectedReason} is null for a record that should succeed. */
    public record Sample(String key, byte[] value, ErrorCode expectedReason) {

        public String valueText() {
            return new String(value, StandardCharsets.UTF_8);
        }
    }

    private SampleInvocations() {}

    public static List<Sample> valid(String prefix, int count) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = String.format("%s-ok-%02d", prefix, i);
            Payload input = switch (i % 3) {
                case 0 -> Payload.text("hello " + i);
                case 1 -> Payload.tensor(new long[] {1, 2}, floats(1.5f, -2f));
                default -> Payload.image(gradientPng(8, 6));
            };
            Invocation inv = new Invocation(id, "echo", input, Invocation.NO_DEADLINE,
                    Map.of("tenant", "t" + (i % 2)), null);
            samples.add(new Sample(id, EventJson.encodeInvocation(inv), null));
        }
        return samples;
    }

    /**
     * {@code perFunction} invocations of every model function in {@code catalog}: a generated PNG
     * where images are accepted, else a tensor of the declared shape (batch 1).
     */
    public static List<Sample> forModels(String prefix, FunctionCatalog catalog, int perFunction) {
        List<Sample> samples = new ArrayList<>();
        for (FunctionSpec spec : catalog.all()) {
            if (spec.name().equals("echo")) {
                continue;
            }
            for (int i = 0; i < perFunction; i++) {
                String id = String.format("%s-%s-%02d", prefix, spec.name(), i);
                Payload input = spec.accepts(InputKind.IMAGE) ? Payload.image(gradientPng(64 + i, 48)) : tensorFor(spec);
                Invocation inv = new Invocation(id, spec.name(), input, Invocation.NO_DEADLINE, Map.of(), null);
                samples.add(new Sample(id, EventJson.encodeInvocation(inv), null));
            }
        }
        return samples;
    }

    private static Payload tensorFor(FunctionSpec spec) {
        long[] shape = spec.tensorShape().length == 0 ? new long[] {1} : spec.tensorShape().clone();
        int elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shape[i] == -1 ? 1 : shape[i];
            elements *= (int) shape[i];
        }
        float[] values = new float[elements];
        for (int i = 0; i < elements; i++) {
            values[i] = (i % 17) / 17f;
        }
        return Payload.tensor(shape, floats(values));
    }

    private static byte[] gradientPng(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                img.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8 | 128);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * One bad record per reason this contract can give, including hostile ones (path escapes,
     * memory bombs). {@code oversizeBytes} sizes the record that must be TOO_LARGE.
     */
    public static List<Sample> bad(String prefix, int oversizeBytes) {
        String nan = Base64.getEncoder().encodeToString(floats(Float.NaN));
        String corruptPng = Base64.getEncoder().encodeToString(
                new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        List<String[]> cases = List.of(
                new String[] {"{not json", "MALFORMED"},
                new String[] {"[1,2,3]", "MALFORMED"},
                new String[] {"", "MALFORMED"},
                new String[] {"{\"v\":1,\"id\":42,\"function\":\"echo\",\"input\":{\"text\":\"x\"}}", "MALFORMED"},
                new String[] {"{\"v\":2,\"id\":\"a\",\"function\":\"echo\",\"input\":{\"text\":\"x\"}}", "UNSUPPORTED_VERSION"},
                new String[] {"{\"v\":1,\"function\":\"echo\",\"input\":{\"text\":\"x\"}}", "INVALID_FIELD"},
                new String[] {"{\"v\":1,\"id\":\"c\",\"function\":\"../../etc/passwd\",\"input\":{\"text\":\"x\"}}", "INVALID_FIELD"},
                new String[] {"{\"v\":1,\"id\":\"b\",\"function\":\"resnet-404\",\"input\":{\"text\":\"x\"}}", "UNKNOWN_FUNCTION"},
                new String[] {"{\"v\":1,\"id\":\"d\",\"function\":\"echo\",\"input\":{\"image\":\"%%%not-base64\"}}", "INVALID_INPUT"},
                new String[] {"{\"v\":1,\"id\":\"e\",\"function\":\"echo\",\"input\":{\"tensor\":{\"shape\":[1],\"data\":\""
                        + nan + "\"}}}", "INVALID_INPUT"},
                new String[] {"{\"v\":1,\"id\":\"h\",\"function\":\"echo\",\"input\":{\"image\":\"" + corruptPng + "\"}}",
                        "INVALID_INPUT"},
                new String[] {"{\"v\":1,\"id\":\"f\",\"function\":\"echo\",\"input\":{\"tensor\":"
                        + "{\"shape\":[100000,100000,100000],\"data\":\"\"}}}", "TOO_LARGE"},
                new String[] {"{\"v\":1,\"id\":\"g\",\"function\":\"echo\",\"input\":{\"text\":\""
                        + "x".repeat(oversizeBytes) + "\"}}", "TOO_LARGE"});
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            samples.add(new Sample(String.format("%s-bad-%02d", prefix, i), cases.get(i)[0].getBytes(StandardCharsets.UTF_8),
                    ErrorCode.valueOf(cases.get(i)[1])));
        }
        return samples;
    }

    /**
     * A record of {@code bytes} that is not JSON: under the broker's 1 MB limit, yet its dead
     * letter (the value in base64) would not fit the dead-letter topic whole, so it is written
     * truncated.
     */
    public static Sample poison(String prefix, int bytes) {
        return new Sample(prefix + "-poison", ("{" + "x".repeat(bytes - 1)).getBytes(StandardCharsets.UTF_8),
                ErrorCode.MALFORMED);
    }

    static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }
}
