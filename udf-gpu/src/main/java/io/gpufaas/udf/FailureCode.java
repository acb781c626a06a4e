package io.gpufaas.udf;

/** Why a function could not produce output. Stable names: they appear in results. */
public enum FailureCode {
    /** The input passed validation but the function could not use it (e.g. a corrupt image). */
    INVALID_INPUT,
    /** The function's model could not be loaded. */
    MODEL_LOAD_FAILED,
    /** The model does not fit in the device's memory. */
    OUT_OF_DEVICE_MEMORY,
    /** Anything else: a bug or an engine failure. */
    INTERNAL
}
