package io.gpufaas.udf;

/** The result of loading a function's model onto a device: the loaded model, or why not. */
public sealed interface LoadOutcome {

    record Loaded(LoadedModel model) implements LoadOutcome {}

    record Failed(FailureCode code, String message) implements LoadOutcome {}

    static LoadOutcome failed(FailureCode code, String message) {
        return new Failed(code, message);
    }
}
