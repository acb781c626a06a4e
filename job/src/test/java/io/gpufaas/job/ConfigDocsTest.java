package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {

    @Test
    void theConfigurationPageDocumentsEveryOptionAsTheOptionsDescribeThemselves() throws Exception {
        String readme = Files.readString(Path.of("..", "docs", "configuration.md"));
        assertThat(readme)
                .as("docs/configuration.md is stale: regenerate it with "
                        + "java -cp ... io.gpufaas.job.ConfigDocs (scripts/config-docs.sh)")
                .contains(ConfigDocs.markdownTable());
    }
}
