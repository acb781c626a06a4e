package io.gpufaas.udf.repo;

import java.util.List;

/** A model repository that cannot be used as it is; the message lists every problem found. */
public final class RepositoryException extends RuntimeException {

    private final List<String> problems;

    public RepositoryException(String root, List<String> problems) {
        super("model repository " + root + " has " + problems.size() + " problem(s):\n  - "
                + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
