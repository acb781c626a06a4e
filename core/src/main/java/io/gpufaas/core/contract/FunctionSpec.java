package io.gpufaas.core.contract;

import io.gpufaas.core.contract.InputKind;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the decoder needs to know about a deployed function to validate an invocation of it.
 *
 * @param name the function's name, also its directory in a model repository
 * @param inputKinds the input kinds it accepts
 * @param tensorShape for {@link InputKind#TENSOR}, the expected shape; {@code -1} matches any
 *     size in that dimension; empty means any shape
 * @param version the model version deployed, 0 for a function without a model file (built-ins):
 *     invocations accepted while this spec is deployed ask for this version ({@link ModelKeys})
 */
public record FunctionSpec(String name, Set<InputKind> inputKinds, long[] tensorShape, int version)
        implements java.io.Serializable {

    /**
     * Lower-case letters, digits, '.', '_' and '-', starting with a letter or digit: safe as a
     * directory name, a metric name and a Kafka key, and unable to express a path escape.
     */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public FunctionSpec {
        Objects.requireNonNull(name, "name");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("invalid function name '" + name + "': must match " + NAME);
        }
        if (inputKinds == null || inputKinds.isEmpty()) {
            throw new IllegalArgumentException("function '" + name + "' must accept at least one input kind");
        }
        inputKinds = Set.copyOf(EnumSet.copyOf(inputKinds));
        tensorShape = tensorShape == null ? new long[0] : tensorShape.clone();
        if (version < 0) {
            throw new IllegalArgumentException("function '" + name + "' has a negative version " + version);
        }
    }

    /** A function without a versioned model (version 0). */
    public FunctionSpec(String name, Set<InputKind> inputKinds, long[] tensorShape) {
        this(name, inputKinds, tensorShape, 0);
    }

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches() && !name.contains("..");
    }

    public boolean accepts(InputKind kind) {
        return inputKinds.contains(kind);
    }

    /** Whether {@code shape} fits {@link #tensorShape()}. */
    public boolean acceptsShape(long[] shape) {
        if (tensorShape.length == 0) {
            return true;
        }
        if (shape.length != tensorShape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (tensorShape[i] != -1 && tensorShape[i] != shape[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FunctionSpec s
                && name.equals(s.name)
                && inputKinds.equals(s.inputKinds)
                && Arrays.equals(tensorShape, s.tensorShape)
                && version == s.version;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, inputKinds, Arrays.hashCode(tensorShape), version);
    }

    @Override
    public String toString() {
        return "FunctionSpec[" + name + (version > 0 ? " v" + version : "") + ", " + inputKinds + ", shape="
                + Arrays.toString(tensorShape) + "]";
    }
}
