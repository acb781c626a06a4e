package io.gpufaas.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** invoke.sh's tensor files: text values, and a sentence (not a stack trace) for anything else. */
class InvokeTest {

    @Test
    void readsTextValuesSeparatedBySpacesCommasOrLines() {
        Input input = Invoke.tensorInput("0.5, 1\n2 3e0\n".getBytes(StandardCharsets.US_ASCII), "1,4", "t.txt");
        assertThat(input).isNotNull();
    }

    @Test
    void refusesRawFloat32ABadNumberAndAMismatchedShapeWithASentence() {
        byte[] raw = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(1).putFloat(2)
                .putFloat(3).array();
        assertThatThrownBy(() -> Invoke.tensorInput(raw, "1,4", "t.bin"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("t.bin is not text");
        assertThatThrownBy(() -> Invoke.tensorInput("1 2 x 4".getBytes(StandardCharsets.US_ASCII), "1,4", "t.txt"))
                .hasMessage("t.txt: value 3 ('x') is not a number");
        assertThatThrownBy(() -> Invoke.tensorInput("1 2 3".getBytes(StandardCharsets.US_ASCII), "1,4", "t.txt"))
                .hasMessageContaining("holds 3 values but shape 1,4 needs 4");
        assertThatThrownBy(() -> Invoke.tensorInput("1".getBytes(StandardCharsets.US_ASCII), "1,four", "t.txt"))
                .hasMessageContaining("--shape must be whole numbers");
    }
}
