package io.gpufaas.udf.djl;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.util.NDImageUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gpufaas.core.event.Payload;
import io.gpufaas.udf.repo.ImagePreprocessing;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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
        Image decoded;
        try {
            decoded = ImageFactory.getInstance().fromInputStream(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException("the image cannot be decoded: " + e.getMessage());
        }
        NDArray hwc = decoded.toNDArray(manager, Image.Flag.COLOR);
        NDArray resized = NDImageUtils.resize(hwc, p.width(), p.height());
        NDArray chw = NDImageUtils.toTensor(resized);
        return NDImageUtils.normalize(chw, p.mean(), p.std()).expandDims(0);
    }

    private static void checkDimensions(byte[] bytes) throws InvalidInputException {
        java.util.Optional<String> problem = io.gpufaas.core.event.ImageHeader.problem(bytes);
        if (problem.isPresent()) {
            throw new InvalidInputException(problem.get());
        }
    }
}
