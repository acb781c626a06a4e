package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.gpufaas.udf.device.CudaDevices;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.api.common.externalresource.ExternalResourceDriver;
import org.apache.flink.api.common.externalresource.ExternalResourceDriverFactory;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;
import org.apache.flink.core.plugin.PluginConfig;
import org.apache.flink.core.plugin.PluginManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gpu-plugin jar loads through Flink's plugin manager, in its own class loader, as a cluster would load it. */
class GpuPluginTest {

    @Test
    void theDriverFactoryLoadsAsAFlinkPlugin(@TempDir Path plugins) throws Exception {
        Path jar = pluginJar();
        Files.copy(jar, Files.createDirectories(plugins.resolve("gpufaas-gpu")).resolve(jar.getFileName()));
        PluginManager manager = new DefaultPluginManager(new DirectoryBasedPluginFinder(plugins).findPlugins(),
                PluginConfig.fromConfiguration(new Configuration()).getAlwaysParentFirstPatterns());

        List<ExternalResourceDriverFactory> factories = new ArrayList<>();
        for (Iterator<ExternalResourceDriverFactory> it = manager.load(ExternalResourceDriverFactory.class); it.hasNext(); ) {
            factories.add(it.next());
        }

        assertThat(factories).singleElement().satisfies(f -> {
            assertThat(f.getClass().getName()).isEqualTo("io.gpufaas.udf.flinkplugin.GpuDriverFactory");
            // Isolated from the application class path, as Flink requires of drivers.
            assertThat(f.getClass().getClassLoader()).isNotSameAs(getClass().getClassLoader());
        });
        ExternalResourceDriver driver = factories.get(0).createExternalResourceDriver(new Configuration());
        assumeFalse(CudaDevices.probe().available(), "this machine has a GPU");
        assertThatThrownBy(() -> driver.retrieveResourceInfo(1)).hasMessageContaining("asks for 1 GPU(s) but");
    }

    /** Built by udf-gpu's package phase, which the reactor runs before this module's tests. */
    private static Path pluginJar() throws Exception {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("..", "udf-gpu", "target"), "*-gpu-plugin.jar")) {
            for (Path p : jars) {
                return p;
            }
        }
        throw new IllegalStateException("udf-gpu/target/*-gpu-plugin.jar is missing: build udf-gpu first (mvn -B verify does)");
    }
}
