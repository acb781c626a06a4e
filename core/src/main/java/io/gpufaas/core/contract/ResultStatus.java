package io.gpufaas.core.contract;

/** How an invocation ended. Every accepted invocation ends in exactly one result. */
public enum ResultStatus {
    /** The function ran and produced output. */
    OK,
    /** The function was run but failed (model load failed, out of device memory, bad image...). */
    ERROR,
    /** The deadline passed before the function could run. */
    EXPIRED
}
