package io.gpufaas.udf.djl;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.util.NDImageUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gpufaas.core.contract.ErrorMessages;
import io.gpufaas.core.contract.ImageHeader;
import io.gpufaas.core.contract.InputKind;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.udf.repo.ImagePreprocessing;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** Turns an invocation's payload into the tensor a model takes. */
final class InputTensors {

    /** The input cannot be turned into a tensor; becomes an {@code INVALID_INPUT} failure. */
    static final class InvalidInputException extends Exception {
        InvalidInputException(String message) {
            super(message, null, false, false);
        }
    }

    private InputTensors() {}

    static NDArray toTensor(NDManager manager, Payload input, ImagePreprocessing image) throws InvalidInputException {
        return switch (input.kind()) {
            case TENSOR -> {
                ByteBuffer data = ByteBuffer.wrap(input.data()).order(ByteOrder.LITTLE_ENDIAN);
                yield manager.create(data.asFloatBuffer(), new Shape(input.shape()));
            }
            case IMAGE -> {
                if (image == null) {
                    throw new InvalidInputException("this function does not take images");
                }
                yield fromImage(manager, input.data(), image);
            }
            case TEXT -> throw new InvalidInputException("this function does not take text");
        };
    }

    private static NDArray fromImage(NDManager manager, byte[] bytes, ImagePreprocessing p) throws InvalidInputException {
        checkDimensions(bytes);
        Image decoded = ImageFactory.getInstance().fromImage(decodeNear(bytes, p.width(), p.height()));
        NDArray hwc = decoded.toNDArray(manager, Image.Flag.COLOR);
        NDArray resized = NDImageUtils.resize(hwc, p.width(), p.height());
        NDArray chw = NDImageUtils.toTensor(resized);
        return NDImageUtils.normalize(chw, p.mean(), p.std()).expandDims(0);
    }

    /**
     * Decodes an image straight to at most twice the target size in each dimension, by reading
     * only every n-th pixel (ImageIO source subsampling): an 8192x8192 image for a 224x224 model
     * becomes about 234x234 in memory, never the 256 MiB bitmap. The resize to the exact input
     * size follows.
     */
    static BufferedImage decodeNear(byte[] bytes, int targetWidth, int targetHeight) throws InvalidInputException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new InvalidInputException("the image format is not recognised");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                ImageReadParam param = reader.getDefaultReadParam();
                int sx = subsampling(reader.getWidth(0), targetWidth);
                int sy = subsampling(reader.getHeight(0), targetHeight);
                if (sx > 1 || sy > 1) {
                    param.setSourceSubsampling(sx, sy, 0, 0);
                }
                // A JPEG decoder fills what it cannot read with grey and only warns: a corrupt
                // JPEG is as invalid as a corrupt PNG, which throws.
                java.util.List<String> warnings = new java.util.ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage image = reader.read(0, param);
                if (image == null) {
                    throw new InvalidInputException("the image cannot be decoded");
                }
                if (!warnings.isEmpty()) {
                    throw new InvalidInputException("the image is corrupt: " + ErrorMessages.brief(warnings.get(0)));
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException("the image cannot be decoded: " + ErrorMessages.brief(e.getMessage()));
        }
    }

    /** Keep every n-th pixel so that at least {@code target} remain. */
    static int subsampling(int size, int target) {
        return Math.max(1, size / Math.max(1, target));
    }

    /**
     * Bytes the input takes in memory while it becomes a tensor: for an image its subsampled
     * bitmap plus the float tensors made from it; for a tensor its data. Read from the image's
     * header only.
     */
    static long workingBytes(Payload input, ImagePreprocessing p) {
        if (input.kind() != InputKind.IMAGE || p == null) {
            return input.data().length;
        }
        long tensor = 3L * p.width() * p.height() * Float.BYTES * 3; // resized, scaled, normalised
        return ImageHeader.dimensions(input.data())
                .map(d -> {
                    long w = (d[0] + subsampling(d[0], p.width()) - 1) / subsampling(d[0], p.width());
                    long h = (d[1] + subsampling(d[1], p.height()) - 1) / subsampling(d[1], p.height());
                    // The bitmap (4 bytes a pixel) and its float HWC copy (3 floats a pixel).
                    return w * h * (4 + 3 * Float.BYTES) + tensor;
                })
                .orElse((long) input.data().length + tensor);
    }

    private static void checkDimensions(byte[] bytes) throws InvalidInputException {
        java.util.Optional<String> problem = ImageHeader.problem(bytes);
        if (problem.isPresent()) {
            throw new InvalidInputException(problem.get());
        }
    }
}
