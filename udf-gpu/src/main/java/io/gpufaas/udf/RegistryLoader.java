package io.gpufaas.udf;

import java.io.Serializable;

/**
 * How a worker builds its {@link FunctionRegistry}: shipped with the job graph, run in each
 * task's {@code open()}, so that models load where they run, not on the client.
 */
@FunctionalInterface
public interface RegistryLoader extends Serializable {

    FunctionRegistry load();

    static RegistryLoader builtins() {
        return FunctionRegistry::builtins;
    }
}
