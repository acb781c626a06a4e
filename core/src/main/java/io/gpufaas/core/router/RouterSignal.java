package io.gpufaas.core.router;

import io.gpufaas.core.contract.ModelKeys;
import io.gpufaas.core.contract.WorkerReport;
import java.util.Objects;

/**
 * The router operator's second input: what changes the view other than an invocation. A worker's report
 * (read back from the status topic), or a function removed on the control topic, whose waiting
 * invocations the router then ends. Exactly one of the two fields is set.
 *
 * @param report a worker's report, or null
 * @param removedFunction the name of a function just removed, or null
 */
public record RouterSignal(WorkerReport report, String removedFunction) {

    public RouterSignal {
        if ((report == null) == (removedFunction == null)) {
            throw new IllegalArgumentException("a router signal is a report or a removal, exactly one");
        }
    }

    public static RouterSignal of(WorkerReport report) {
        return new RouterSignal(Objects.requireNonNull(report, "report"), null);
    }

    public static RouterSignal removed(String function) {
        return new RouterSignal(null, Objects.requireNonNull(function, "function"));
    }

    /**
     * The function it concerns (a report names a model, {@code name@version}): the key it shares
     * with that function's invocations.
     */
    public String function() {
        return report != null ? ModelKeys.function(report.function()) : removedFunction;
    }
}
