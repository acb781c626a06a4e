package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpufaas.udf.device.CudaDevices;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import jcuda.driver.JCudaDriver;
import org.apache.flink.api.common.externalresource.ExternalResourceDriver;
import org.apache.flink.api.common.externalresource.ExternalResourceDriverFactory;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
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
        ExternalResourceDriverFactory f = driverFactory(plugins, new Configuration());
        assertThat(f.getClass().getName()).isEqualTo("io.gpufaas.udf.flinkplugin.GpuDriverFactory");
        // Isolated from the application class path, as Flink requires of drivers.
        assertThat(f.getClass().getClassLoader()).isNotSameAs(getClass().getClassLoader());

        ExternalResourceDriver driver = f.createExternalResourceDriver(new Configuration());
        if (CudaDevices.probe().available()) {
            assertThat(driver.retrieveResourceInfo(1)).hasSize(1); // a GPU host: the driver hands one out
        } else {
            assertThatThrownBy(() -> driver.retrieveResourceInfo(1)).hasMessageContaining("asks for 1 GPU(s) but");
        }
    }

    /**
     * A JVM loads a native library into one class loader only. With its own copy of JCuda the
     * plugin would take libJCudaDriver first and the workers' JCuda (the cluster's, parent-first)
     * would be refused it on a GPU host. The shipped config makes the plugin use the cluster's.
     */
    @Test
    void withTheShippedConfigThePluginSharesTheClustersJCuda(@TempDir Path isolated, @TempDir Path shared) throws Exception {
        Configuration shipped = GlobalConfiguration.loadConfiguration(Path.of("..", "flink-conf").toString());
        String driverClass = JCudaDriver.class.getName();

        assertThat(driverFactory(isolated, new Configuration()).getClass().getClassLoader().loadClass(driverClass))
                .as("the plugin's own copy, without the setting")
                .isNotSameAs(JCudaDriver.class);
        assertThat(driverFactory(shared, shipped).getClass().getClassLoader().loadClass(driverClass))
                .isSameAs(JCudaDriver.class);
    }

    private static ExternalResourceDriverFactory driverFactory(Path plugins, Configuration conf) throws Exception {
        Path jar = pluginJar();
        Files.copy(jar, Files.createDirectories(plugins.resolve("gpufaas-gpu")).resolve(jar.getFileName()));
        PluginManager manager = new DefaultPluginManager(new DirectoryBasedPluginFinder(plugins).findPlugins(),
                PluginConfig.fromConfiguration(conf).getAlwaysParentFirstPatterns());
        List<ExternalResourceDriverFactory> factories = new ArrayList<>();
        for (Iterator<ExternalResourceDriverFactory> it = manager.load(ExternalResourceDriverFactory.class); it.hasNext(); ) {
            factories.add(it.next());
        }
        assertThat(factories).hasSize(1);
        return factories.get(0);
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
