package io.gpufaas.udf;

import io.gpufaas.udf.api.Footprint;

import io.gpufaas.udf.api.ExecutionOutcome;

import io.gpufaas.udf.api.LoadOutcome;

import io.gpufaas.udf.api.LoadedModel;

import io.gpufaas.udf.api.InferenceFunction;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpufaas.core.contract.InputKind;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.FunctionSpec;
import io.gpufaas.udf.device.ComputeDevice;
import java.util.Arrays;
import java.util.EnumSet;

/**
 * Built-in function with no model: returns its text input, or a description of a binary input.
 * Checks the pipeline end to end without any model; it occupies no device memory.
 */
public final class EchoFunction implements InferenceFunction {

    public static final String NAME = "echo";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FunctionSpec SPEC = new FunctionSpec(NAME, EnumSet.allOf(InputKind.class), new long[0]);

    @Override
    public FunctionSpec spec() {
        return SPEC;
    }

    @Override
    public long estimatedFootprintBytes() {
        return 0;
    }

    @Override
    public LoadOutcome load(ComputeDevice device) {
        return new LoadOutcome.Loaded(new LoadedModel() {
            @Override
            public String function() {
                return NAME;
            }

            @Override
            public ComputeDevice device() {
                return device;
            }

            @Override
            public Footprint footprint() {
                return Footprint.ofParameters(0);
            }

            @Override
            public long loadNanos() {
                return 0;
            }

            @Override
            public ExecutionOutcome run(Payload input) {
                return echo(input);
            }

            @Override
            public void close() {}
        });
    }

    static ExecutionOutcome echo(Payload input) {
        ObjectNode out = JSON.createObjectNode();
        switch (input.kind()) {
            case TEXT -> out.put("text", input.textValue());
            case IMAGE -> out.put("imageBytes", input.data().length);
            case TENSOR -> {
                out.put("tensorBytes", input.data().length);
                out.put("shape", Arrays.toString(input.shape()));
            }
        }
        return ExecutionOutcome.success(out.toString());
    }
}
