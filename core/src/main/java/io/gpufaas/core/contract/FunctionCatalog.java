package io.gpufaas.core.contract;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The deployed functions by name: what the decoder validates against, and what the router and a
 * worker assume of a model before any load has measured it.
 */
public interface FunctionCatalog {

    Optional<FunctionSpec> find(String name);

    Collection<FunctionSpec> all();

    /** Device bytes the function's model is expected to take before a load measured it; 0 if unknown. */
    default long estimatedBytes(String name) {
        return 0;
    }

    /** Copies of the function's model the router keeps resident once they exist; 0 for none. */
    default int minCopies(String name) {
        return 0;
    }

    /** Most workers that may hold the function's model at once; 0 for no limit. */
    default int maxCopies(String name) {
        return 0;
    }

    static FunctionCatalog of(Collection<FunctionSpec> specs) {
        Map<String, FunctionSpec> byName = new LinkedHashMap<>();
        for (FunctionSpec spec : specs) {
            if (byName.putIfAbsent(spec.name(), spec) != null) {
                throw new IllegalArgumentException("function '" + spec.name() + "' is defined twice");
            }
        }
        return new FunctionCatalog() {
            @Override
            public Optional<FunctionSpec> find(String name) {
                return Optional.ofNullable(byName.get(name));
            }

            @Override
            public Collection<FunctionSpec> all() {
                return byName.values();
            }
        };
    }

    /**
     * Models known only by their footprint (the simulator's, and tests'): no spec to validate
     * against, no copy limits.
     */
    static FunctionCatalog ofFootprints(Map<String, Long> bytes) {
        Map<String, Long> copy = Map.copyOf(bytes);
        return new FunctionCatalog() {
            @Override
            public Optional<FunctionSpec> find(String name) {
                return Optional.empty();
            }

            @Override
            public Collection<FunctionSpec> all() {
                return java.util.List.of();
            }

            @Override
            public long estimatedBytes(String name) {
                return copy.getOrDefault(name, 0L);
            }
        };
    }
}
