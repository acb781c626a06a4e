package io.gpufaas.client;

import io.gpufaas.core.contract.ErrorCode;

/** The job refused the invocation: it became a dead letter with this reason (see docs/contract.md). */
public final class RejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode reason;

    public RejectedException(ErrorCode reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public ErrorCode reason() {
        return reason;
    }
}
