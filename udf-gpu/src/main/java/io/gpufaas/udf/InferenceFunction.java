package io.gpufaas.udf;

import io.gpufaas.core.event.Payload;
import io.gpufaas.core.function.FunctionSpec;

/** A deployed function: what it accepts, and how to run it on one input. */
public interface InferenceFunction extends AutoCloseable {

    FunctionSpec spec();

    /** Runs the function. Never throws for bad input or engine failures: returns a failure. */
    ExecutionOutcome invoke(Payload input);

    @Override
    default void close() {}
}
