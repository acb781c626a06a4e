package io.gpufaas.udf.api;

import io.gpufaas.core.contract.FunctionSpec;
import io.gpufaas.udf.device.ComputeDevice;

/** A deployed function: what it accepts, and how to put its model on a device. */
public interface InferenceFunction {

    FunctionSpec spec();

    /**
     * Device bytes expected before the model is loaded: the descriptor's declared footprint, or
     * the model file's size. The measured {@link LoadedModel#footprint()} replaces it after a load.
     */
    long estimatedFootprintBytes();

    /** Copies the router keeps once they exist; 0 for none. */
    default int minCopies() {
        return 0;
    }

    /** Most workers that may hold the model at once; 0 for no limit. */
    default int maxCopies() {
        return 0;
    }

    /** Loads the model onto {@code device}. Never throws: failures are typed. */
    LoadOutcome load(ComputeDevice device);
}
