package io.gpufaas.client;

import io.gpufaas.core.contract.Payload;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/** What a function is invoked with: text, an encoded image, or a float32 tensor. */
public final class Input {

    private final Payload payload;

    private Input(Payload payload) {
        this.payload = payload;
    }

    public static Input text(String text) {
        return new Input(Payload.text(Objects.requireNonNull(text, "text")));
    }

    /** A JPEG or PNG, as its file's bytes. */
    public static Input image(byte[] encoded) {
        return new Input(Payload.image(Objects.requireNonNull(encoded, "encoded").clone()));
    }

    /** A float32 tensor of {@code shape}, {@code values} in row-major order. */
    public static Input tensor(long[] shape, float[] values) {
        long elements = 1;
        for (long d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("tensor dimensions must be positive");
            }
            elements *= d;
        }
        if (elements != values.length) {
            throw new IllegalArgumentException("shape holds " + elements + " values, got " + values.length);
        }
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return new Input(Payload.tensor(shape.clone(), b.array()));
    }

    Payload payload() {
        return payload;
    }
}
