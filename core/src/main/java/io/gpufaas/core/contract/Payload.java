package io.gpufaas.core.contract;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An invocation's input: the bytes of one {@link InputKind}. For {@link InputKind#TENSOR} the
 * bytes are little-endian float32 values and {@code shape} gives their dimensions; for the other
 * kinds {@code shape} is empty.
 */
public record Payload(InputKind kind, byte[] data, long[] shape) {

    private static final long[] NO_SHAPE = new long[0];

    public Payload {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(data, "data");
        shape = shape == null ? NO_SHAPE : shape;
    }

    public static Payload text(String text) {
        return new Payload(InputKind.TEXT, text.getBytes(StandardCharsets.UTF_8), NO_SHAPE);
    }

    public static Payload image(byte[] encodedImage) {
        return new Payload(InputKind.IMAGE, encodedImage, NO_SHAPE);
    }

    public static Payload tensor(long[] shape, byte[] float32LittleEndian) {
        return new Payload(InputKind.TENSOR, float32LittleEndian, shape);
    }

    public String textValue() {
        return new String(data, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Payload p
                && kind == p.kind
                && Arrays.equals(data, p.data)
                && Arrays.equals(shape, p.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, Arrays.hashCode(data), Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return "Payload[" + kind + ", " + data.length + " bytes, shape=" + Arrays.toString(shape) + "]";
    }
}
