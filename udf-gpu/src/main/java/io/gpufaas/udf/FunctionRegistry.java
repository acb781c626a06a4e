package io.gpufaas.udf;

import io.gpufaas.core.function.FunctionCatalog;
import io.gpufaas.core.function.FunctionSpec;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The deployed functions by name: what the decoder validates against and the worker runs. */
public final class FunctionRegistry implements FunctionCatalog, AutoCloseable {

    private final Map<String, InferenceFunction> functions = new LinkedHashMap<>();

    public FunctionRegistry(Collection<? extends InferenceFunction> functions) {
        for (InferenceFunction f : functions) {
            if (this.functions.putIfAbsent(f.spec().name(), f) != null) {
                throw new IllegalArgumentException("function '" + f.spec().name() + "' is defined twice");
            }
        }
    }

    /** The functions every deployment has, needing no model files. */
    public static FunctionRegistry builtins() {
        return new FunctionRegistry(List.of(new EchoFunction()));
    }

    public Optional<InferenceFunction> function(String name) {
        return Optional.ofNullable(functions.get(name));
    }

    @Override
    public Optional<FunctionSpec> find(String name) {
        return function(name).map(InferenceFunction::spec);
    }

    @Override
    public Collection<FunctionSpec> all() {
        return functions.values().stream().map(InferenceFunction::spec).toList();
    }

    @Override
    public void close() {
        functions.values().forEach(InferenceFunction::close);
    }
}
