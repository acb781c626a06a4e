package io.gpufaas.udf.api;

import io.gpufaas.core.contract.ErrorCode;

/** The result of loading a function's model onto a device: the loaded model, or why not. */
public sealed interface LoadOutcome {

    record Loaded(LoadedModel model) implements LoadOutcome {}

    /**
     * @param measuredBytes what the model was found to need when that is why it failed (its
     *     footprint did not fit), so the router learns it; 0 otherwise
     */
    record Failed(ErrorCode code, String message, long measuredBytes) implements LoadOutcome {

        public Failed(ErrorCode code, String message) {
            this(code, message, 0);
        }
    }

    static LoadOutcome failed(ErrorCode code, String message) {
        return new Failed(code, message);
    }
}
