package io.gpufaas.udf.api;

import io.gpufaas.core.contract.ErrorCode;

/**
 * The result of running a function: output or a typed failure. Functions return failures rather
 * than throw them, so a bad invocation never takes its worker down.
 */
public sealed interface ExecutionOutcome {

    record Success(String outputJson) implements ExecutionOutcome {}

    record Failure(ErrorCode code, String message) implements ExecutionOutcome {}

    static ExecutionOutcome success(String outputJson) {
        return new Success(outputJson);
    }

    static ExecutionOutcome failure(ErrorCode code, String message) {
        return new Failure(code, message);
    }
}
