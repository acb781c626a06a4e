package io.gpufaas.core.contract;

/**
 * Every error the contract can report, in one vocabulary: a dead letter's {@code reason} and a
 * result's {@code error.code} are names of this enum. Stable: consumers switch on these names.
 * Each says where it appears.
 */
public enum ErrorCode {
    /** Dead letter: not JSON, not a JSON object, or a field has the wrong JSON type. */
    MALFORMED,
    /** Dead letter: the {@code v} field names a contract version this job does not speak. */
    UNSUPPORTED_VERSION,
    /** Dead letter: a required field is missing or a field's value is out of its allowed range. */
    INVALID_FIELD,
    /** Dead letter: no function of that name is deployed. */
    UNKNOWN_FUNCTION,
    /**
     * Dead letter or result: the input does not fit the function (wrong kind, bad base64, wrong
     * tensor shape, NaN); as a result, input that passed validation but the function could not use
     * (e.g. a corrupt image).
     */
    INVALID_INPUT,
    /**
     * Dead letter: an invocation with the same id was accepted within the deduplication window
     * ({@code gpufaas.invocations.dedup-window}); it runs once, and its result is the answer.
     */
    DUPLICATE,
    /** Dead letter: the record or one of its parts exceeds a configured size limit. */
    TOO_LARGE,
    /**
     * Dead letter or result: handling it failed in a way no other code describes (a bug, or a
     * resource running out). The job's log has the details.
     */
    INTERNAL,
    /** Result: the function's model could not be loaded. */
    MODEL_LOAD_FAILED,
    /** Result: the model does not fit in the device's memory. */
    OUT_OF_DEVICE_MEMORY,
    /** Result: the router's queue was full (in invocations or bytes); retry later. */
    OVERLOADED,
    /** Result: no result within the worker timeout. */
    TIMEOUT,
    /**
     * Result: the function ran, but its result is larger than the results topic takes; the
     * message gives both sizes. Retrying the same input gives the same result.
     */
    RESULT_TOO_LARGE,
    /** Result: the function was removed (on the control topic) while the invocation waited to run. */
    FUNCTION_REMOVED,
    /** Result ({@code EXPIRED}): the invocation's deadline passed before it ran. */
    DEADLINE_EXCEEDED
}
