package io.gpufaas.core.contract;

/**
 * Where an invocation ran.
 *
 * @param worker index of the worker subtask
 * @param device the device it used, e.g. {@code cuda:0} or {@code cpu:0}
 * @param cacheHit whether the function's model was already resident on that device
 * @param version the model version that ran it; 0 for built-ins, or when it did not run
 */
public record Placement(int worker, String device, boolean cacheHit, int version) {

    public Placement(int worker, String device, boolean cacheHit) {
        this(worker, device, cacheHit, 0);
    }

    public static Placement nowhere() {
        return new Placement(-1, "", false);
    }
}
