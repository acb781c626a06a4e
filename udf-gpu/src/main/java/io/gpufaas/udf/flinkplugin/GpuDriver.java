package io.gpufaas.udf.flinkplugin;

import io.gpufaas.udf.device.ComputeDevice;
import io.gpufaas.udf.device.CudaDevices;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceDriver;

/**
 * Gives a task manager its GPUs, discovered through the CUDA driver (JCuda) rather than an
 * nvidia-smi script. With {@code visible-devices} set, only those indexes are handed out, which
 * is how several task managers on one host split its GPUs.
 */
public final class GpuDriver implements ExternalResourceDriver {

    private final List<Integer> visibleDevices;

    GpuDriver(List<Integer> visibleDevices) {
        this.visibleDevices = List.copyOf(visibleDevices);
    }

    @Override
    public Set<GpuInfo> retrieveResourceInfo(long gpuAmount) {
        if (gpuAmount <= 0) {
            throw new IllegalArgumentException("the GPU amount must be positive, was " + gpuAmount);
        }
        CudaDevices.Probe probe = CudaDevices.probe();
        if (!probe.available()) {
            throw new IllegalStateException("this task manager asks for " + gpuAmount + " GPU(s) but " + probe.reason());
        }
        List<ComputeDevice> candidates = visibleDevices.isEmpty()
                ? probe.devices()
                : probe.devices().stream().filter(d -> visibleDevices.contains(d.index())).toList();
        if (candidates.size() < gpuAmount) {
            throw new IllegalStateException("this task manager asks for " + gpuAmount + " GPU(s) but only "
                    + candidates.size() + " are available" + (visibleDevices.isEmpty() ? "" : " among visible-devices " + visibleDevices)
                    + ": " + probe.devices());
        }
        Set<GpuInfo> infos = new LinkedHashSet<>();
        for (int i = 0; i < gpuAmount; i++) {
            infos.add(new GpuInfo(candidates.get(i)));
        }
        return infos;
    }
}
