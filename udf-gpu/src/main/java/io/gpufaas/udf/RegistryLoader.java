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

    /**
     * A registry for reading functions one by one as they are deployed: it must not depend on
     * the rest of the repository being valid, so that one broken function directory fails only
     * the DEPLOY that names it.
     */
    default FunctionRegistry forDeploys() {
        return load();
    }

    static RegistryLoader builtins() {
        return FunctionRegistry::builtins;
    }

    /** Built-ins plus the repository at {@code path}, which every task manager must see. */
    static RegistryLoader repository(String path) {
        return new RegistryLoader() {
            private static final long serialVersionUID = 1L;

            @Override
            public FunctionRegistry load() {
                return FunctionRegistry.withRepository(Path.of(path));
            }

            @Override
            public FunctionRegistry forDeploys() {
                return FunctionRegistry.deployingFrom(Path.of(path));
            }
        };
    }
}
