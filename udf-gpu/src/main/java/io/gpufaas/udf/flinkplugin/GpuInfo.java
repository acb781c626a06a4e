package io.gpufaas.udf.flinkplugin;

import io.gpufaas.udf.device.ComputeDevice;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;

/**
 * One GPU given to a task manager, as tasks see it through
 * {@code getRuntimeContext().getExternalResourceInfos("gpu")}.
 */
public final class GpuInfo implements ExternalResourceInfo {

    public static final String INDEX = "index";
    public static final String NAME = "name";
    public static final String MEMORY_BYTES = "memory-bytes";

    private final ComputeDevice device;

    GpuInfo(ComputeDevice device) {
        this.device = device;
    }

    @Override
    public Optional<String> getProperty(String key) {
        return switch (key) {
            case INDEX -> Optional.of(Integer.toString(device.index()));
            case NAME -> Optional.of(device.name());
            case MEMORY_BYTES -> Optional.of(Long.toString(device.totalMemoryBytes()));
            default -> Optional.empty();
        };
    }

    @Override
    public Collection<String> getKeys() {
        return List.of(INDEX, NAME, MEMORY_BYTES);
    }

    @Override
    public String toString() {
        return "GPU " + device.index() + " (" + device.name() + ", " + device.totalMemoryBytes() + " bytes)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GpuInfo g && device.equals(g.device);
    }

    @Override
    public int hashCode() {
        return device.hashCode();
    }
}
