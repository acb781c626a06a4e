package io.gpufaas.udf.flinkplugin;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.externalresource.ExternalResourceDriver;
import org.apache.flink.api.common.externalresource.ExternalResourceDriverFactory;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Flink external-resource driver factory for {@code gpu}, loaded through Flink's plugin manager
 * (the gpu-plugin jar in {@code plugins/gpufaas-gpu/}). Configure it as:
 *
 * <pre>
 * external-resources: gpu
 * external-resource.gpu.amount: 1
 * external-resource.gpu.driver-factory.class: io.gpufaas.udf.flinkplugin.GpuDriverFactory
 * external-resource.gpu.param.visible-devices: 0,1     # optional
 * </pre>
 */
public final class GpuDriverFactory implements ExternalResourceDriverFactory {

    public static final ConfigOption<String> VISIBLE_DEVICES = ConfigOptions.key("visible-devices")
            .stringType()
            .defaultValue("")
            .withDescription("Comma-separated CUDA device indexes this task manager may use; empty means all.");

    @Override
    public ExternalResourceDriver createExternalResourceDriver(Configuration config) {
        return new GpuDriver(parseIndexes(config.get(VISIBLE_DEVICES)));
    }

    static List<Integer> parseIndexes(String value) {
        List<Integer> indexes = new ArrayList<>();
        for (String part : value.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                int index = Integer.parseInt(p);
                if (index < 0) {
                    throw new NumberFormatException();
                }
                indexes.add(index);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("visible-devices must list non-negative GPU indexes, got '" + value + "'");
            }
        }
        return indexes;
    }
}
