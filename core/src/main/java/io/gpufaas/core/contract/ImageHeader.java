package io.gpufaas.core.contract;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads an encoded image's header without decoding its pixels: a corrupt image is refused, and
 * one declaring a huge bitmap (a few bytes can claim gigapixels) is refused before anything is
 * allocated for it.
 */
public final class ImageHeader {

    /** Largest accepted image, in pixels. */
    public static final long MAX_PIXELS = 8192L * 8192L;

    private ImageHeader() {}

    /** {width, height} as the image's header declares them, or empty if the header cannot be read. */
    public static Optional<int[]> dimensions(byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                return Optional.empty();
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return Optional.of(new int[] {reader.getWidth(0), reader.getHeight(0)});
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Why the image is unusable, or empty if its header is readable and its size sane. */
    public static Optional<String> problem(byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return Optional.of("the image format is not recognised");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels <= 0) {
                    return Optional.of("the image declares no pixels");
                }
                if (pixels > MAX_PIXELS) {
                    return Optional.of("the image declares " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels, more than " + MAX_PIXELS);
                }
                return Optional.empty();
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return Optional.of("the image header cannot be read: " + e.getMessage());
        }
    }
}
