package io.gpufaas.udf.repo;

import java.io.Serializable;
import java.util.Arrays;

/** How an image becomes the model's input: resized to width x height, scaled to [0,1], normalised per channel. */
public record ImagePreprocessing(int width, int height, float[] mean, float[] std) implements Serializable {

    public ImagePreprocessing {
        if (width <= 0 || height <= 0 || width > 4096 || height > 4096) {
            throw new IllegalArgumentException("image size must be 1-4096 pixels, was " + width + "x" + height);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("image mean and std need 3 values (RGB)");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("image std values must be positive: " + Arrays.toString(std));
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImagePreprocessing p && width == p.width && height == p.height
                && Arrays.equals(mean, p.mean) && Arrays.equals(std, p.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(mean) * 17 + Arrays.hashCode(std);
    }
}
