package io.gpufaas.udf;

import io.gpufaas.udf.api.InferenceFunction;

import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.FunctionSpec;
import io.gpufaas.udf.djl.TorchScriptFunction;
import io.gpufaas.udf.repo.FunctionDefinition;
import io.gpufaas.udf.repo.ModelRepository;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The deployed functions by name: what the decoder validates against and workers load. */
public final class FunctionRegistry implements FunctionCatalog {

    private final Map<String, InferenceFunction> functions = new java.util.concurrent.ConcurrentHashMap<>();
    /** The repository the functions came from, to read functions deployed later; null for built-ins only. */
    private final Path repository;

    public FunctionRegistry(Collection<? extends InferenceFunction> functions) {
        this(functions, null);
    }

    private FunctionRegistry(Collection<? extends InferenceFunction> functions, Path repository) {
        this.repository = repository;
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

    /**
     * The built-ins plus every function of a model repository. Throws
     * {@link io.gpufaas.udf.repo.RepositoryException} listing every problem of a broken repository.
     */
    public static FunctionRegistry withRepository(Path repository) {
        List<InferenceFunction> all = new ArrayList<>(builtins().functions.values());
        for (FunctionDefinition definition : ModelRepository.scan(repository)) {
            all.add(new TorchScriptFunction(definition));
        }
        return new FunctionRegistry(all, repository);
    }

    /** A function looked up in the repository: either it or why it cannot be deployed. */
    public record Resolution(InferenceFunction function, String problem) {}

    /**
     * Reads {@code name} from the repository again: for a function deployed (or changed) while
     * the job runs. The registry keeps what it found.
     */
    public Resolution resolve(String name) {
        if (repository == null) {
            return new Resolution(null, "the job has no model repository (gpufaas.functions.repository)");
        }
        try {
            InferenceFunction f = new TorchScriptFunction(ModelRepository.readFunction(repository, name));
            functions.put(name, f);
            return new Resolution(f, null);
        } catch (io.gpufaas.udf.repo.RepositoryException e) {
            return new Resolution(null, String.join("; ", e.problems()));
        }
    }

    /** {@link #resolve} for callers that need only the function, if any (built-ins are kept as they are). */
    public Optional<InferenceFunction> refresh(String name) {
        if (repository == null) {
            return function(name);
        }
        return Optional.ofNullable(resolve(name).function());
    }

    public Optional<InferenceFunction> function(String name) {
        return Optional.ofNullable(functions.get(name));
    }

    @Override
    public Optional<FunctionSpec> find(String name) {
        return function(name).map(InferenceFunction::spec);
    }

    /** A function deployed after the registry was read is looked up in the repository. */
    @Override
    public long estimatedBytes(String name) {
        return function(name).or(() -> refresh(name)).map(InferenceFunction::estimatedFootprintBytes).orElse(0L);
    }

    @Override
    public int minCopies(String name) {
        return function(name).map(InferenceFunction::minCopies).orElse(0);
    }

    @Override
    public int maxCopies(String name) {
        return function(name).map(InferenceFunction::maxCopies).orElse(0);
    }

    @Override
    public Collection<FunctionSpec> all() {
        return functions.values().stream().map(InferenceFunction::spec).toList();
    }

    public Collection<InferenceFunction> functions() {
        return functions.values();
    }
}
