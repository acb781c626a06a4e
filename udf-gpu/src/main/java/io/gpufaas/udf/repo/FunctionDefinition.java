package io.gpufaas.udf.repo;

import io.gpufaas.core.contract.FunctionSpec;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * One deployed model function as its repository describes it.
 *
 * @param modelFile the TorchScript file, inside the repository
 * @param modelFileBytes its size: a first estimate of the footprint before it is loaded
 * @param image how to turn an image input into a tensor, when images are accepted
 * @param labels class names by output index; empty means {@code class_<index>}
 * @param declaredMemoryBytes footprint the descriptor declares, if any (measured otherwise)
 * @param minCopies copies the router keeps resident once they exist (never evicts below this)
 * @param maxCopies most workers that may hold the model at once; 0 means no limit
 */
public record FunctionDefinition(
        FunctionSpec spec,
        int version,
        String format,
        String modelFile,
        long modelFileBytes,
        ImagePreprocessing image,
        int topK,
        List<String> labels,
        long declaredMemoryBytes,
        String architecture,
        int minCopies,
        int maxCopies) implements Serializable {

    public String name() {
        return spec.name();
    }

    public Path modelPath() {
        return Path.of(modelFile);
    }

    public String label(int index) {
        return index < labels.size() ? labels.get(index) : "class_" + index;
    }
}
