package io.gpufaas.udf.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceSelectorTest {

    @Test
    void cpuPreferenceGivesTheCpuWithItsBudget() {
        ComputeDevice device = new DeviceSelector(DeviceSelector.Preference.CPU, 123_456).select(3, List.of());
        assertThat(device).isEqualTo(ComputeDevice.cpu(123_456));
        assertThat(device.id()).isEqualTo("cpu:0");
        assertThat(CudaDevices.freeMemory(device)).isEmpty();
    }

    @Test
    void withoutCudaAutoFallsBackToTheCpuAndCudaPreferenceFailsWithTheReason() {
        CudaDevices.Probe probe = CudaDevices.probe();
        assumeFalse(probe.available(), "this machine has a GPU");

        assertThat(probe.reason()).isNotBlank();
        assertThat(new DeviceSelector(DeviceSelector.Preference.AUTO, 1 << 20).select(0, List.of()).kind())
                .isEqualTo(ComputeDevice.Kind.CPU);
        assertThatThrownBy(() -> new DeviceSelector(DeviceSelector.Preference.CUDA, 1 << 20).select(0, List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a CUDA device is required")
                .hasMessageContaining(probe.reason());
    }

    @Test
    void theProbeIsCachedAndRepeatable() {
        assertThat(CudaDevices.probe()).isSameAs(CudaDevices.probe());
    }

    @Test
    void devicesValidateTheirFields() {
        assertThatThrownBy(() -> ComputeDevice.cpu(0)).hasMessageContaining("memory must be positive");
        assertThatThrownBy(() -> new DeviceSelector(DeviceSelector.Preference.AUTO, -1))
                .hasMessageContaining("budget must be positive");
        assertThat(new ComputeDevice(ComputeDevice.Kind.CUDA, 2, "H200", 1).id()).isEqualTo("cuda:2");
    }
}
