package io.gpufaas.udf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpufaas.core.event.InputKind;
import io.gpufaas.core.event.Payload;
import io.gpufaas.core.function.FunctionSpec;
import java.util.Arrays;
import java.util.EnumSet;

/**
 * Built-in function with no model: returns its text input, or a description of a binary input.
 * Useful to check the pipeline end to end without any model.
 */
public final class EchoFunction implements InferenceFunction {

    public static final String NAME = "echo";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FunctionSpec SPEC =
            new FunctionSpec(NAME, EnumSet.allOf(InputKind.class), new long[0]);

    @Override
    public FunctionSpec spec() {
        return SPEC;
    }

    @Override
    public ExecutionOutcome invoke(Payload input) {
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
