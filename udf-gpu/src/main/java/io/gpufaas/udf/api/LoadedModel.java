package io.gpufaas.udf.api;

import io.gpufaas.core.contract.Payload;
import io.gpufaas.udf.device.ComputeDevice;
import java.util.ArrayList;
import java.util.List;

/**
 * A function's model resident on one device. {@link #run} is safe to call from several threads
 * at once; {@link #close} frees the device memory and must come after every run has returned.
 */
public interface LoadedModel extends AutoCloseable {

    String function();

    ComputeDevice device();

    Footprint footprint();

    /** Wall time the load took, in nanoseconds. */
    long loadNanos();

    /** Runs the model on one input. Never throws for bad input or engine failures. */
    ExecutionOutcome run(Payload input);

    /** Runs several inputs; models that can batch override this to run them as one. */
    default List<ExecutionOutcome> runBatch(List<Payload> inputs) {
        List<ExecutionOutcome> outcomes = new ArrayList<>(inputs.size());
        for (Payload input : inputs) {
            outcomes.add(run(input));
        }
        return outcomes;
    }

    /**
     * Bytes {@code input} takes in memory while this model turns it into a tensor (a decoded
     * bitmap, the tensors made from it), estimated without decoding it: what a worker's bound on
     * decoded input counts. 0 for models that decode nothing.
     */
    default long workingBytes(Payload input) {
        return 0;
    }

    @Override
    void close();
}
