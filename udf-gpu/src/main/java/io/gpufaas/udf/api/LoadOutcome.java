package io.gpufaas.udf.api;

import io.gpufaas.core.contract.ErrorCode;

/** The result of loading a function's model onto a device: the loaded model, or why not. */
public sealed interface LoadOutcome {

    record Loaded(LoadedModel model) implements LoadOutcome {}

    record Failed(ErrorCode code, String message) implements LoadOutcome {}

    static LoadOutcome failed(ErrorCode code, String message) {
        return new Failed(code, message);
    }
}
