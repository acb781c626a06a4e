package io.gpufaas.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {

    @Test
    void readmeDocumentsEveryOptionAsTheOptionsDescribeThemselves() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme)
                .as("README's configuration table is stale: regenerate it with "
                        + "java -cp ... io.gpufaas.job.ConfigDocs (see README, Configuration)")
                .contains(ConfigDocs.markdownTable());
    }
}
