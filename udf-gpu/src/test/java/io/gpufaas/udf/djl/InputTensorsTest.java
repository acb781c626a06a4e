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

    @Test
    void aJpegWithAValidHeaderAndAJunkBodyIsRefusedLikeACorruptPng() throws Exception {
        BufferedImage source = new BufferedImage(512, 512, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 512; x++) {
                source.setRGB(x, y, (x * 31 + y * 17) & 0xffffff);
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(source, "jpg", out);
        byte[] jpeg = out.toByteArray();
        assertThat(InputTensors.decodeNear(jpeg, 224, 224)).isNotNull(); // the intact one decodes

        // Keep the header up to the start of scan (FF DA) and its segment; replace the data after it with junk.
        int sos = 2;
        while (!((jpeg[sos] & 0xff) == 0xFF && (jpeg[sos + 1] & 0xff) == 0xDA)) {
            sos++;
        }
        int dataStart = sos + 2 + (((jpeg[sos + 2] & 0xff) << 8) | (jpeg[sos + 3] & 0xff));
        byte[] junk = java.util.Arrays.copyOf(jpeg, dataStart + 2_000);
        java.util.Random random = new java.util.Random(7);
        for (int i = dataStart; i < junk.length; i++) {
            junk[i] = (byte) (random.nextInt(255)); // never 0xFF: no marker, just undecodable entropy data
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InputTensors.decodeNear(junk, 224, 224))
                .isInstanceOf(InputTensors.InvalidInputException.class)
                .hasMessageContaining("corrupt");
    }
}
