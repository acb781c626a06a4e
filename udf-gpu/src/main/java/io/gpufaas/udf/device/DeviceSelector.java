package io.gpufaas.udf.device;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Chooses the one device a worker owns. With CUDA present, workers are spread over the GPUs
 * their task manager was given ({@code visibleGpuIndexes}; all GPUs when empty) by worker index;
 * otherwise, unless CUDA was required, the CPU with a memory budget.
 */
public final class DeviceSelector implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Which kind of device to use. */
    public enum Preference {
        /** CUDA when the driver reports a device, else the CPU. */
        AUTO,
        /** CUDA or fail: for clusters where a CPU fallback would hide a broken GPU setup. */
        CUDA,
        /** The CPU even when a GPU is present. */
        CPU
    }

    private final Preference preference;
    private final long cpuMemoryBudgetBytes;

    public DeviceSelector(Preference preference, long cpuMemoryBudgetBytes) {
        this.preference = Objects.requireNonNull(preference, "preference");
        if (cpuMemoryBudgetBytes <= 0) {
            throw new IllegalArgumentException("CPU memory budget must be positive, was " + cpuMemoryBudgetBytes);
        }
        this.cpuMemoryBudgetBytes = cpuMemoryBudgetBytes;
    }

    public ComputeDevice select(int workerIndex, List<Integer> visibleGpuIndexes) {
        if (preference == Preference.CPU) {
            return ComputeDevice.cpu(cpuMemoryBudgetBytes);
        }
        CudaDevices.Probe probe = CudaDevices.probe();
        if (!probe.available()) {
            if (preference == Preference.CUDA) {
                throw new IllegalStateException("a CUDA device is required (device preference CUDA) but " + probe.reason());
            }
            return ComputeDevice.cpu(cpuMemoryBudgetBytes);
        }
        List<ComputeDevice> candidates = visibleGpuIndexes.isEmpty()
                ? probe.devices()
                : probe.devices().stream().filter(d -> visibleGpuIndexes.contains(d.index())).toList();
        if (candidates.isEmpty()) {
            throw new IllegalStateException("none of the GPUs " + visibleGpuIndexes
                    + " given to this task manager exists; the driver reports " + probe.devices());
        }
        return candidates.get(Math.floorMod(workerIndex, candidates.size()));
    }
}
