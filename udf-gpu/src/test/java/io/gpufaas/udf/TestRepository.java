package io.gpufaas.udf;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The committed test repository (tiny-mlp, tiny-cnn; see its make_tiny_models.py). */
public final class TestRepository {

    private TestRepository() {}

    public static Path path() {
        try {
            return Path.of(TestRepository.class.getResource("/repo/reference.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
