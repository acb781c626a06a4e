package io.gpufaas.udf.repo;

import io.gpufaas.core.contract.FunctionSpec;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Looks a function up in the model repository when it is deployed while the job runs: its spec,
 * or the reason it cannot be deployed.
 *
 * @param repository the repository path, or null when the job has none (built-ins only)
 */
public record FunctionResolver(String repository) implements Serializable {

    /** Either {@code spec} or {@code problem} is set. */
    public record Resolution(FunctionSpec spec, String problem) {}

    public Resolution resolve(String function) {
        if (repository == null) {
            return new Resolution(null, "the job has no model repository (gpufaas.functions.repository)");
        }
        try {
            return new Resolution(ModelRepository.readFunction(Path.of(repository), function).spec(), null);
        } catch (RepositoryException e) {
            return new Resolution(null, String.join("; ", e.problems()));
        }
    }
}
