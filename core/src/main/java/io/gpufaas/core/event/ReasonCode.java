package io.gpufaas.core.event;

/** Why a record went to the dead-letter topic. Stable: consumers switch on these names. */
public enum ReasonCode {
    /** Not JSON, not a JSON object, or a field has the wrong JSON type. */
    MALFORMED,
    /** The {@code v} field names a contract version this job does not speak. */
    UNSUPPORTED_VERSION,
    /** A required field is missing or a field's value is out of its allowed range. */
    INVALID_FIELD,
    /** No function of that name is deployed. */
    UNKNOWN_FUNCTION,
    /** The input does not fit the function: wrong kind, bad base64, wrong tensor shape, NaN. */
    INVALID_INPUT,
    /** The record or one of its parts exceeds a configured size limit. */
    TOO_LARGE,
    /**
     * Handling the record failed in a way no rule above describes (a bug, or a resource running
     * out). The record is kept byte for byte for a replay; the job's log has the details.
     */
    INTERNAL
}
