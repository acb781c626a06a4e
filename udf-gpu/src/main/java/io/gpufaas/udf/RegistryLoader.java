package io.gpufaas.udf;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * How a worker builds its {@link FunctionRegistry}: shipped with the job graph and run in each
 * task's {@code open()}, so models are read where they run, not on the client.
 */
@FunctionalInterface
public interface RegistryLoader extends Serializable {

    FunctionRegistry load();

    static RegistryLoader builtins() {
        return FunctionRegistry::builtins;
    }

    /** Built-ins plus the repository at {@code path}, which every task manager must see. */
    static RegistryLoader repository(String path) {
        return () -> FunctionRegistry.withRepository(Path.of(path));
    }
}
