package io.gpufaas.udf;

import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.FunctionSpec;
import io.gpufaas.core.contract.ModelKeys;
import io.gpufaas.udf.api.InferenceFunction;
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

    /** The deployed functions by name, each at the version it serves. */
    private final Map<String, InferenceFunction> functions = new java.util.concurrent.ConcurrentHashMap<>();
    /** Other versions read for invocations accepted while they were deployed, by model key. */
    private final Map<String, InferenceFunction> otherVersions = new java.util.concurrent.ConcurrentHashMap<>();
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

    /**
     * The built-ins, and the repository at {@code repository} read one function at a time as it
     * is resolved (nothing is scanned: a broken directory concerns only its own function).
     */
    public static FunctionRegistry deployingFrom(Path repository) {
        return new FunctionRegistry(builtins().functions.values(), repository);
    }

    /** A function looked up in the repository: either it or why it cannot be deployed. */
    public record Resolution(InferenceFunction function, String problem) {}

    /**
     * Reads {@code name} from the repository again: for a function deployed (or changed) while
     * the job runs. The registry keeps what it found.
     */
    public Resolution resolve(String name) {
        return resolve(name, 0);
    }

    /**
     * Reads {@code name} at model version {@code version} (0: the one its descriptor serves) and
     * makes it the version this registry serves: a DEPLOY, which may pin a version to roll back.
     */
    public Resolution resolve(String name, int version) {
        if (repository == null) {
            return new Resolution(null, "the job has no model repository (gpufaas.functions.repository)");
        }
        try {
            InferenceFunction f = new TorchScriptFunction(ModelRepository.readFunction(repository, name, version));
            functions.put(name, f);
            return new Resolution(f, null);
        } catch (io.gpufaas.udf.repo.RepositoryException e) {
            return new Resolution(null, String.join("; ", e.problems()));
        }
    }

    /**
     * The function for a model key ({@link ModelKeys}), read from the repository if this registry
     * has not seen it: a function deployed while the job runs, or another version of one.
     * Built-ins are kept as they are.
     */
    public Optional<InferenceFunction> refresh(String modelKey) {
        if (repository == null) {
            return function(modelKey);
        }
        int version = ModelKeys.version(modelKey);
        if (version == 0) {
            return Optional.ofNullable(resolve(modelKey).function());
        }
        try {
            InferenceFunction f = new TorchScriptFunction(
                    ModelRepository.readFunction(repository, ModelKeys.function(modelKey), version));
            if (serving(modelKey).map(serving -> serving.spec().version() < version).orElse(true)) {
                functions.put(ModelKeys.function(modelKey), f); // deployed after this registry was read
            } else {
                otherVersions.put(modelKey, f);
            }
            return Optional.of(f);
        } catch (io.gpufaas.udf.repo.RepositoryException e) {
            return Optional.empty();
        }
    }

    /** The function for a model key: by name, at the version the key names if it names one. */
    public Optional<InferenceFunction> function(String modelKey) {
        int version = ModelKeys.version(modelKey);
        Optional<InferenceFunction> serving = serving(modelKey);
        if (version == 0 || serving.isPresent() && serving.get().spec().version() == version) {
            return serving;
        }
        return Optional.ofNullable(otherVersions.get(modelKey));
    }

    /** The version of {@code modelKey}'s function this registry serves now, whatever version the key names. */
    private Optional<InferenceFunction> serving(String modelKey) {
        return Optional.ofNullable(functions.get(ModelKeys.function(modelKey)));
    }

    @Override
    public Optional<FunctionSpec> find(String name) {
        return serving(name).map(InferenceFunction::spec);
    }

    /** A function deployed after the registry was read is looked up in the repository. */
    @Override
    public long estimatedBytes(String name) {
        return function(name).or(() -> refresh(name)).map(InferenceFunction::estimatedFootprintBytes).orElse(0L);
    }

    @Override
    public int minCopies(String modelKey) {
        return serving(modelKey).map(InferenceFunction::minCopies).orElse(0);
    }

    @Override
    public int maxCopies(String modelKey) {
        return serving(modelKey).map(InferenceFunction::maxCopies).orElse(0);
    }

    @Override
    public Collection<FunctionSpec> all() {
        return functions.values().stream().map(InferenceFunction::spec).toList();
    }

    public Collection<InferenceFunction> functions() {
        return functions.values();
    }
}
