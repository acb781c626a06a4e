package io.gpufaas.core.contract;

/**
 * A function's deployment state as the control topic last set it: deployed with its spec, or
 * removed ({@code spec} null).
 */
public record Deployment(String function, boolean deployed, FunctionSpec spec) implements java.io.Serializable {

    public static Deployment deployed(FunctionSpec spec) {
        return new Deployment(spec.name(), true, spec);
    }

    public static Deployment removed(String function) {
        return new Deployment(function, false, null);
    }
}
