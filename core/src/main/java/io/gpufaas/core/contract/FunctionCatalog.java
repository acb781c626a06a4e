package io.gpufaas.core.contract;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The functions that are deployed, as far as input validation is concerned. */
public interface FunctionCatalog {

    Optional<FunctionSpec> find(String name);

    Collection<FunctionSpec> all();

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
}
