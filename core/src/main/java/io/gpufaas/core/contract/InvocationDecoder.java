package io.gpufaas.core.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.gpufaas.core.contract.FunctionCatalog;
import io.gpufaas.core.contract.FunctionSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Turns a raw record into a validated {@link Invocation} or a {@link DeadLetter} with a reason.
 * It never throws for bad input: every record gets an answer, so nothing is dropped or kills the
 * job. The wire format is documented in docs/contract.md (version 1).
 */
public final class InvocationDecoder {

    public static final int CONTRACT_VERSION = 1;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:\\-]+");

    // Bounded nesting and string length: a hostile document cannot exhaust the stack or heap.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32)
                .maxStringLength(64 * 1024 * 1024)
                .build());
    }

    private final FunctionCatalog catalog;
    private final DecodeLimits limits;

    public InvocationDecoder(FunctionCatalog catalog, DecodeLimits limits) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public DecodeOutcome decode(RawRecord record) {
        try {
            return new DecodeOutcome.Accepted(parse(record));
        } catch (Rejection r) {
            return new DecodeOutcome.Rejected(new DeadLetter(r.reason, r.getMessage(), r.invocationId, record));
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // A bug or an exhausted resource while reading one record: that record's dead letter,
            // never an exception out of the decoder.
            return new DecodeOutcome.Rejected(new DeadLetter(ErrorCode.INTERNAL,
                    "decoding failed: " + ErrorMessages.brief(e), "", record));
        }
    }

    private Invocation parse(RawRecord record) throws Rejection {
        byte[] value = record.value();
        if (record.nullValue()) {
            throw new Rejection(ErrorCode.MALFORMED, "record value is null (a tombstone): an invocation is a JSON object", "");
        }
        if (value.length == 0) {
            throw new Rejection(ErrorCode.MALFORMED, "record value is empty (0 bytes): an invocation is a JSON object", "");
        }
        if (value.length > limits.maxRecordBytes()) {
            throw new Rejection(ErrorCode.TOO_LARGE, "record is " + value.length
                    + " bytes, limit is " + limits.maxRecordBytes(), "");
        }
        JsonNode root;
        try {
            root = JSON.readTree(value);
        } catch (IOException | RuntimeException e) {
            throw new Rejection(ErrorCode.MALFORMED, "not valid JSON: " + firstLine(e.getMessage()), "");
        }
        if (root == null || !root.isObject()) {
            throw new Rejection(ErrorCode.MALFORMED, "not a JSON object", "");
        }

        JsonNode v = root.get("v");
        if (v == null) {
            throw new Rejection(ErrorCode.INVALID_FIELD, "missing field 'v' (contract version)", "");
        }
        if (!v.isIntegralNumber()) {
            throw new Rejection(ErrorCode.MALFORMED, "field 'v' must be an integer", "");
        }
        if (v.asLong() != CONTRACT_VERSION) {
            throw new Rejection(ErrorCode.UNSUPPORTED_VERSION, "contract version " + v.asText()
                    + " is not supported; this job speaks version " + CONTRACT_VERSION, "");
        }

        String id = requiredText(root, "id", "");
        if (id.length() > limits.maxIdLength() || !ID.matcher(id).matches()) {
            throw new Rejection(ErrorCode.INVALID_FIELD, "field 'id' must be 1-" + limits.maxIdLength()
                    + " characters of [A-Za-z0-9._:-]", "");
        }

        String function = requiredText(root, "function", id);
        if (!FunctionSpec.isValidName(function)) {
            throw new Rejection(ErrorCode.INVALID_FIELD, "field 'function' must match "
                    + FunctionSpec.NAME + " without '..'", id);
        }
        FunctionSpec spec = catalog.find(function).orElseThrow(() ->
                new Rejection(ErrorCode.UNKNOWN_FUNCTION, "no function named '" + function + "' is deployed", id));

        Payload input = parseInput(root.get("input"), spec, id);
        long deadline = parseDeadline(root.get("deadlineMs"), id);
        Map<String, String> metadata = parseMetadata(root.get("metadata"), id);

        SourcePosition position = record.position();
        return new Invocation(id, function, input, deadline, metadata, position, spec.version());
    }

    private Payload parseInput(JsonNode input, FunctionSpec spec, String id) throws Rejection {
        if (input == null || input.isNull()) {
            throw new Rejection(ErrorCode.INVALID_FIELD, "missing field 'input'", id);
        }
        if (!input.isObject()) {
            throw new Rejection(ErrorCode.MALFORMED, "field 'input' must be an object", id);
        }
        int kinds = (input.has("text") ? 1 : 0) + (input.has("image") ? 1 : 0) + (input.has("tensor") ? 1 : 0);
        if (kinds != 1) {
            throw new Rejection(ErrorCode.INVALID_FIELD,
                    "field 'input' must have exactly one of 'text', 'image', 'tensor'", id);
        }
        Payload payload;
        if (input.has("text")) {
            payload = Payload.text(requiredText(input, "text", id));
        } else if (input.has("image")) {
            payload = Payload.image(parseImage(input.get("image"), id));
        } else {
            payload = parseTensor(input.get("tensor"), spec, id);
        }
        if (!spec.accepts(payload.kind())) {
            throw new Rejection(ErrorCode.INVALID_INPUT, "function '" + spec.name() + "' accepts "
                    + spec.inputKinds() + ", not " + payload.kind(), id);
        }
        return payload;
    }

    private static byte[] parseImage(JsonNode image, String id) throws Rejection {
        if (!image.isTextual()) {
            throw new Rejection(ErrorCode.MALFORMED, "field 'input.image' must be a base64 string", id);
        }
        byte[] bytes = base64(image.textValue(), "input.image", id);
        if (!isJpeg(bytes) && !isPng(bytes)) {
            throw new Rejection(ErrorCode.INVALID_INPUT, "field 'input.image' is neither a JPEG nor a PNG", id);
        }
        java.util.Optional<String> problem = ImageHeader.problem(bytes);
        if (problem.isPresent()) {
            throw new Rejection(problem.get().contains("more than") ? ErrorCode.TOO_LARGE : ErrorCode.INVALID_INPUT,
                    "field 'input.image': " + problem.get(), id);
        }
        return bytes;
    }

    private Payload parseTensor(JsonNode tensor, FunctionSpec spec, String id) throws Rejection {
        if (!tensor.isObject()) {
            throw new Rejection(ErrorCode.MALFORMED, "field 'input.tensor' must be an object", id);
        }
        JsonNode dtype = tensor.get("dtype");
        if (dtype != null && !"float32".equals(dtype.asText())) {
            throw new Rejection(ErrorCode.INVALID_INPUT, "only dtype float32 is supported, not " + dtype, id);
        }
        JsonNode shapeNode = tensor.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new Rejection(ErrorCode.MALFORMED, "field 'input.tensor.shape' must be an array", id);
        }
        if (shapeNode.isEmpty() || shapeNode.size() > limits.maxTensorRank()) {
            throw new Rejection(ErrorCode.INVALID_INPUT, "tensor rank must be 1-" + limits.maxTensorRank()
                    + ", was " + shapeNode.size(), id);
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = shapeNode.get(i);
            if (!dim.isIntegralNumber() || !dim.canConvertToLong() || dim.asLong() <= 0) {
                throw new Rejection(ErrorCode.INVALID_INPUT, "tensor dimensions must be positive integers", id);
            }
            shape[i] = dim.asLong();
            // Checked per factor so a hostile shape can neither overflow nor allocate.
            if (shape[i] > limits.maxTensorElements() || elements > limits.maxTensorElements() / shape[i]) {
                throw new Rejection(ErrorCode.TOO_LARGE, "tensor shape declares more than "
                        + limits.maxTensorElements() + " elements", id);
            }
            elements *= shape[i];
        }
        if (!spec.acceptsShape(shape)) {
            throw new Rejection(ErrorCode.INVALID_INPUT, "function '" + spec.name() + "' expects shape "
                    + java.util.Arrays.toString(spec.tensorShape()) + ", got " + java.util.Arrays.toString(shape), id);
        }
        JsonNode data = tensor.get("data");
        if (data == null || !data.isTextual()) {
            throw new Rejection(ErrorCode.MALFORMED, "field 'input.tensor.data' must be a base64 string", id);
        }
        byte[] bytes = base64(data.textValue(), "input.tensor.data", id);
        if (bytes.length != elements * Float.BYTES) {
            throw new Rejection(ErrorCode.INVALID_INPUT, "tensor data has " + bytes.length
                    + " bytes, shape needs " + elements * Float.BYTES, id);
        }
        ByteBuffer floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < elements; i++) {
            if (!Float.isFinite(floats.getFloat(i * Float.BYTES))) {
                throw new Rejection(ErrorCode.INVALID_INPUT, "tensor element " + i + " is NaN or infinite", id);
            }
        }
        return Payload.tensor(shape, bytes);
    }

    private static long parseDeadline(JsonNode deadline, String id) throws Rejection {
        if (deadline == null || deadline.isNull()) {
            return Invocation.NO_DEADLINE;
        }
        if (!deadline.isIntegralNumber() || !deadline.canConvertToLong() || deadline.asLong() < 0) {
            throw new Rejection(ErrorCode.INVALID_FIELD,
                    "field 'deadlineMs' must be a non-negative integer (epoch milliseconds)", id);
        }
        return deadline.asLong();
    }

    private Map<String, String> parseMetadata(JsonNode metadata, String id) throws Rejection {
        if (metadata == null || metadata.isNull()) {
            return Map.of();
        }
        if (!metadata.isObject()) {
            throw new Rejection(ErrorCode.MALFORMED, "field 'metadata' must be an object of strings", id);
        }
        if (metadata.size() > limits.maxMetadataEntries()) {
            throw new Rejection(ErrorCode.TOO_LARGE, "field 'metadata' has " + metadata.size()
                    + " entries, limit is " + limits.maxMetadataEntries(), id);
        }
        Map<String, String> result = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new Rejection(ErrorCode.MALFORMED, "metadata value '" + e.getKey() + "' must be a string", id);
            }
            if (e.getKey().length() > limits.maxMetadataValueLength()
                    || e.getValue().textValue().length() > limits.maxMetadataValueLength()) {
                throw new Rejection(ErrorCode.TOO_LARGE, "metadata keys and values are limited to "
                        + limits.maxMetadataValueLength() + " characters", id);
            }
            result.put(e.getKey(), e.getValue().textValue());
        }
        return result;
    }

    private static String requiredText(JsonNode parent, String field, String id) throws Rejection {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw new Rejection(ErrorCode.INVALID_FIELD, "missing field '" + field + "'", id);
        }
        if (!node.isTextual()) {
            throw new Rejection(ErrorCode.MALFORMED, "field '" + field + "' must be a string", id);
        }
        if (node.textValue().isEmpty()) {
            throw new Rejection(ErrorCode.INVALID_FIELD, "field '" + field + "' must not be empty", id);
        }
        return node.textValue();
    }

    /**
     * Standard base64, also as MIME wraps it (lines of 76 characters, what {@code base64},
     * {@code openssl base64} and Python's {@code encodebytes} write): line breaks are dropped,
     * anything else outside the alphabet is refused, named so a person can find it.
     */
    static byte[] base64(String text, String field, String id) throws Rejection {
        String unwrapped = text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0
                ? text.replace("\r", "").replace("\n", "")
                : text;
        try {
            return Base64.getDecoder().decode(unwrapped);
        } catch (IllegalArgumentException e) {
            // Only a refused input pays for the scan that names the offending character.
            for (int i = 0; i < unwrapped.length(); i++) {
                char c = unwrapped.charAt(i);
                boolean alphabet = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+'
                        || c == '/' || c == '=';
                if (!alphabet) {
                    throw new Rejection(ErrorCode.INVALID_INPUT, "field '" + field + "' is not valid base64: "
                            + describe(c) + " at position " + i + " is not in the base64 alphabet", id);
                }
            }
            throw new Rejection(ErrorCode.INVALID_INPUT, "field '" + field + "' is not valid base64: "
                    + e.getMessage(), id);
        }
    }

    private static String describe(char c) {
        return switch (c) {
            case ' ' -> "a space";
            case '\t' -> "a tab";
            case '-', '_' -> "'" + c + "' (URL-safe base64 is not accepted; use + and /)";
            default -> c < 0x20 || c > 0x7e
                    ? String.format("the character U+%04X", (int) c)
                    : "'" + c + "'";
        };
    }

    static boolean isJpeg(byte[] b) {
        return b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF;
    }

    static boolean isPng(byte[] b) {
        return b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
                && b[4] == 0x0D && b[5] == 0x0A && b[6] == 0x1A && b[7] == 0x0A;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Internal control flow only: never crosses the decoder's boundary. */
    private static final class Rejection extends Exception {
        final ErrorCode reason;
        final String invocationId;

        Rejection(ErrorCode reason, String message, String invocationId) {
            super(message, null, false, false);
            this.reason = reason;
            this.invocationId = invocationId;
        }
    }
}
