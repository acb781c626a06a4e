package io.gpufaas.job;

import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;

/**
 * Renders {@link GpuFaasOptions} as the README's Markdown table, so the documentation comes from
 * the options themselves. {@code ConfigDocsTest} fails when the README falls behind.
 */
public final class ConfigDocs {

    private ConfigDocs() {}

    public static String markdownTable() {
        HtmlFormatter formatter = new HtmlFormatter();
        return "| key | default | description |\n| --- | --- | --- |\n"
                + GpuFaasOptions.all().stream()
                        .map(o -> "| `" + o.key() + "` | " + defaultOf(o) + " | "
                                + formatter.format(o.description()).replace("|", "\\|") + " |")
                        .collect(Collectors.joining("\n"))
                + "\n";
    }

    private static String defaultOf(ConfigOption<?> option) {
        return option.hasDefaultValue() ? "`" + option.defaultValue() + "`" : "(none)";
    }

    public static void main(String[] args) {
        System.out.print(markdownTable());
    }
}
