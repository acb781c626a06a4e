package io.gpufaas.udf.flinkplugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gpufaas.udf.device.CudaDevices;
import org.apache.flink.api.common.externalresource.ExternalResourceDriver;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class GpuDriverFactoryTest {

    @Test
    void parsesVisibleDevices() {
        assertThat(GpuDriverFactory.parseIndexes("")).isEmpty();
        assertThat(GpuDriverFactory.parseIndexes(" 0, 2 ")).containsExactly(0, 2);
        assertThatThrownBy(() -> GpuDriverFactory.parseIndexes("0,x"))
                .hasMessageContaining("visible-devices must list non-negative GPU indexes");
    }

    @Test
    void withoutAGpuTheDriverSaysWhyInsteadOfInventingOne() {
        assumeFalse(CudaDevices.probe().available(), "this machine has a GPU");
        ExternalResourceDriver driver = new GpuDriverFactory().createExternalResourceDriver(new Configuration());

        assertThatThrownBy(() -> driver.retrieveResourceInfo(1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("asks for 1 GPU(s) but")
                .hasMessageContaining(CudaDevices.probe().reason());
    }

    @Test
    void withAGpuTheDriverHandsOutRealDevices() throws Exception {
        assumeTrue(CudaDevices.probe().available(), "no GPU on this machine");
        ExternalResourceDriver driver = new GpuDriverFactory().createExternalResourceDriver(new Configuration());

        assertThat(driver.retrieveResourceInfo(1)).singleElement()
                .satisfies(info -> {
                    assertThat(info.getProperty(GpuInfo.INDEX)).contains("0");
                    assertThat(Long.parseLong(info.getProperty(GpuInfo.MEMORY_BYTES).orElseThrow())).isPositive();
                });
    }
}
