package io.gpufaas.udf.device;

import java.io.Serializable;
import java.util.Objects;

/**
 * A device a worker runs models on: a CUDA GPU found by {@link CudaDevices}, or the CPU with a
 * configured memory budget standing in for device memory.
 *
 * @param totalMemoryBytes the GPU's memory, or the CPU budget
 */
public record ComputeDevice(Kind kind, int index, String name, long totalMemoryBytes) implements Serializable {

    public enum Kind {
        CUDA,
        CPU
    }

    public ComputeDevice {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, was " + index);
        }
        if (totalMemoryBytes <= 0) {
            throw new IllegalArgumentException("device memory must be positive, was " + totalMemoryBytes);
        }
    }

    /** The CPU as a device whose "memory" is the budget the model cache may fill. */
    public static ComputeDevice cpu(long memoryBudgetBytes) {
        return new ComputeDevice(Kind.CPU, 0, "cpu", memoryBudgetBytes);
    }

    /** {@code cuda:0}, {@code cpu:0}: the id results and metrics report. */
    public String id() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + index;
    }

    public boolean isCuda() {
        return kind == Kind.CUDA;
    }
}
