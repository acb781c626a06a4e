package io.gpufaas.udf.djl;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.Payload;
import io.gpufaas.udf.PixelBombs;
import io.gpufaas.udf.repo.ImagePreprocessing;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** Images are decoded straight to about the model's input size: a pixel bomb costs what a small image does. */
class InputTensorsTest {

    private static final ImagePreprocessing P224 = new ImagePreprocessing(224, 224, new float[] {0.5f, 0.5f, 0.5f},
            new float[] {0.25f, 0.25f, 0.25f});

    @Test
    void aPixelBombDecodesToUnderTwiceTheTargetSize() throws Exception {
        byte[] bomb = PixelBombs.greyPng(8192, 8192);
        assertThat(bomb.length).isLessThan(300_000);

        BufferedImage image = InputTensors.decodeNear(bomb, 224, 224);

        assertThat(image.getWidth()).isBetween(224, 447);
        assertThat(image.getHeight()).isBetween(224, 447);
        // Estimated from the header alone: the subsampled bitmap, not 8192^2 pixels.
        assertThat(InputTensors.workingBytes(Payload.image(bomb), P224)).isLessThan(8L << 20);
    }

    @Test
    void imagesNoLargerThanTwiceTheTargetAreDecodedWhole() throws Exception {
        BufferedImage image = InputTensors.decodeNear(PixelBombs.greyPng(300, 200), 224, 224);
        assertThat(image.getWidth()).isEqualTo(300);
        assertThat(image.getHeight()).isEqualTo(200);
        assertThat(InputTensors.subsampling(448, 224)).isEqualTo(2);
        assertThat(InputTensors.subsampling(100, 224)).isEqualTo(1);
    }
}
