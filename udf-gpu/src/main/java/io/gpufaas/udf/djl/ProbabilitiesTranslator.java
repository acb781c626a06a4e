package io.gpufaas.udf.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

/**
 * Feeds a ready tensor to the model and copies its class scores out as softmax probabilities,
 * one row per input row, before the prediction's native memory is released.
 */
final class ProbabilitiesTranslator implements Translator<NDList, float[][]> {

    @Override
    public NDList processInput(TranslatorContext ctx, NDList input) {
        return input;
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList list) {
        NDArray logits = list.get(0);
        if (logits.getShape().dimension() == 1) {
            logits = logits.expandDims(0);
        }
        NDArray probabilities = logits.softmax(-1);
        int rows = (int) probabilities.getShape().get(0);
        int classes = (int) probabilities.getShape().get(1);
        float[] flat = probabilities.toFloatArray();
        float[][] out = new float[rows][classes];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * classes, out[r], 0, classes);
        }
        return out;
    }

    @Override
    public Batchifier getBatchifier() {
        return null; // inputs arrive batched already
    }
}
