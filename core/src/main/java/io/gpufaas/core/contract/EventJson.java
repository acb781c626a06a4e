package io.gpufaas.core.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * JSON encoding of the event contract (version {@value InvocationDecoder#CONTRACT_VERSION}):
 * invocations as producers write them, results and dead letters as the job writes them. The
 * reading side of results and dead letters is here too, for consumers and tests; invocations are
 * read only through the validating {@link InvocationDecoder}.
 */
public final class EventJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private EventJson() {}

    public static byte[] encodeInvocation(Invocation inv) {
        ObjectNode root = JSON.createObjectNode();
        root.put("v", InvocationDecoder.CONTRACT_VERSION);
        root.put("id", inv.id());
        root.put("function", inv.function());
        ObjectNode input = root.putObject("input");
        Payload p = inv.input();
        switch (p.kind()) {
            case TEXT -> input.put("text", p.textValue());
            case IMAGE -> input.put("image", B64.encodeToString(p.data()));
            case TENSOR -> {
                ObjectNode t = input.putObject("tensor");
                t.put("dtype", "float32");
                ArrayNode shape = t.putArray("shape");
                for (long d : p.shape()) {
                    shape.add(d);
                }
                t.put("data", B64.encodeToString(p.data()));
            }
        }
        if (inv.hasDeadline()) {
            root.put("deadlineMs", inv.deadlineMs());
        }
        if (!inv.metadata().isEmpty()) {
            ObjectNode md = root.putObject("metadata");
            inv.metadata().forEach(md::put);
        }
        return write(root);
    }

    public static byte[] encodeResult(InvocationResult r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("v", InvocationDecoder.CONTRACT_VERSION);
        root.put("id", r.id());
        root.put("function", r.function());
        root.put("status", r.status().name());
        if (!r.outputJson().isEmpty()) {
            root.set("output", readTree(r.outputJson()));
        }
        if (!r.errorCode().isEmpty()) {
            ObjectNode error = root.putObject("error");
            error.put("code", r.errorCode());
            error.put("message", r.errorMessage());
        }
        ObjectNode timing = root.putObject("timing");
        timing.put("queuedMs", r.timing().queuedMs());
        timing.put("loadMs", r.timing().loadMs());
        timing.put("execMs", r.timing().execMs());
        timing.put("endToEndMs", r.timing().endToEndMs());
        ObjectNode placement = root.putObject("placement");
        placement.put("worker", r.placement().worker());
        placement.put("device", r.placement().device());
        placement.put("cacheHit", r.placement().cacheHit());
        if (r.placement().version() > 0) {
            placement.put("version", r.placement().version());
        }
        if (!r.metadata().isEmpty()) {
            ObjectNode md = root.putObject("metadata");
            r.metadata().forEach(md::put);
        }
        root.put("completedAtMs", r.completedAtMs());
        return write(root);
    }

    public static InvocationResult decodeResult(byte[] bytes) {
        JsonNode root = readTree(bytes);
        JsonNode t = root.path("timing");
        JsonNode p = root.path("placement");
        JsonNode e = root.path("error");
        return new InvocationResult(
                root.path("id").asText(),
                root.path("function").asText(),
                ResultStatus.valueOf(root.path("status").asText()),
                root.has("output") ? root.get("output").toString() : "",
                e.path("code").asText(""),
                e.path("message").asText(""),
                new Timing(t.path("queuedMs").asLong(), t.path("loadMs").asLong(),
                        t.path("execMs").asLong(), t.path("endToEndMs").asLong()),
                new Placement(p.path("worker").asInt(-1), p.path("device").asText(""),
                        p.path("cacheHit").asBoolean(), p.path("version").asInt(0)),
                stringMap(root.path("metadata")),
                root.path("completedAtMs").asLong());
    }

    public static byte[] encodeDeadLetter(DeadLetter d) {
        ObjectNode root = deadLetterHead(d);
        // Base64 keeps the record byte for byte, whatever it was; JSON null marks a null key or value.
        putBytes(root, "key", d.record().key(), d.record().nullKey());
        putBytes(root, "value", d.record().value(), d.record().nullValue());
        return write(root);
    }

    /**
     * A dead letter too large for its topic: the reason and source as always, and of the key and
     * value their size, SHA-256 and first {@code keyPrefix}/{@code valuePrefix} bytes, marked
     * {@code "truncated": true}. The whole record stays in the source topic at the position given.
     */
    public static byte[] encodeTruncatedDeadLetter(DeadLetter d, int keyPrefix, int valuePrefix) {
        ObjectNode root = deadLetterHead(d);
        root.put("truncated", true);
        putPrefix(root, "key", d.record().key(), d.record().nullKey(), keyPrefix);
        putPrefix(root, "value", d.record().value(), d.record().nullValue(), valuePrefix);
        return write(root);
    }

    private static ObjectNode deadLetterHead(DeadLetter d) {
        ObjectNode root = JSON.createObjectNode();
        root.put("v", InvocationDecoder.CONTRACT_VERSION);
        root.put("reason", d.reason().name());
        root.put("message", d.message());
        if (!d.invocationId().isEmpty()) {
            root.put("invocationId", d.invocationId());
        }
        SourcePosition pos = d.record().position();
        ObjectNode source = root.putObject("source");
        source.put("topic", pos.topic());
        source.put("partition", pos.partition());
        source.put("offset", pos.offset());
        source.put("timestampMs", pos.timestampMs());
        return root;
    }

    private static void putBytes(ObjectNode root, String field, byte[] bytes, boolean isNull) {
        if (isNull) {
            root.putNull(field);
        } else {
            root.put(field, B64.encodeToString(bytes));
        }
    }

    private static void putPrefix(ObjectNode root, String field, byte[] bytes, boolean isNull, int prefix) {
        if (isNull) {
            root.putNull(field);
            return;
        }
        int n = Math.max(0, Math.min(prefix, bytes.length));
        root.put(field, B64.encodeToString(java.util.Arrays.copyOf(bytes, n)));
        root.put(field + "Size", bytes.length);
        root.put(field + "Sha256", sha256Hex(bytes));
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * Reads a dead letter. Of a truncated one ({@link #isTruncatedDeadLetter}) the record holds
     * the prefixes that were kept.
     */
    public static DeadLetter decodeDeadLetter(byte[] bytes) {
        JsonNode root = readTree(bytes);
        JsonNode s = root.path("source");
        SourcePosition pos = new SourcePosition(s.path("topic").asText(), s.path("partition").asInt(),
                s.path("offset").asLong(), s.path("timestampMs").asLong());
        JsonNode key = root.path("key");
        JsonNode value = root.path("value");
        return new DeadLetter(
                ErrorCode.valueOf(root.path("reason").asText()),
                root.path("message").asText(),
                root.path("invocationId").asText(""),
                new RawRecord(pos, key.isNull() ? null : B64D.decode(key.asText("")),
                        value.isNull() ? null : B64D.decode(value.asText(""))));
    }

    public static boolean isTruncatedDeadLetter(byte[] bytes) {
        return readTree(bytes).path("truncated").asBoolean(false);
    }

    /** Worker status reports on the feedback topic (internal, but plain JSON for debugging with kcat). */
    public static byte[] encodeReport(io.gpufaas.core.contract.WorkerReport r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("v", InvocationDecoder.CONTRACT_VERSION);
        root.put("worker", r.worker());
        root.put("function", r.function());
        root.put("invocationId", r.invocationId());
        root.put("loadMs", r.loadMs());
        root.put("execMs", r.execMs());
        root.put("bytes", r.bytes());
        ArrayNode resident = root.putArray("resident");
        r.resident().forEach(resident::add);
        if (!r.residentComplete()) {
            root.put("residentComplete", false);
        }
        root.put("capacityBytes", r.capacityBytes());
        root.put("atMs", r.atMs());
        if (r.completed() != 1) {
            root.put("completed", r.completed());
        }
        if (r.backlogMs() >= 0) {
            root.put("backlogMs", r.backlogMs());
        }
        return write(root);
    }

    public static io.gpufaas.core.contract.WorkerReport decodeReport(byte[] bytes) {
        JsonNode root = readTree(bytes);
        java.util.List<String> resident = new java.util.ArrayList<>();
        root.path("resident").forEach(n -> resident.add(n.asText()));
        return new io.gpufaas.core.contract.WorkerReport(root.path("worker").asInt(-1), root.path("function").asText(),
                root.path("invocationId").asText(), root.path("loadMs").asLong(), root.path("execMs").asLong(),
                root.path("bytes").asLong(), resident, root.path("residentComplete").asBoolean(true),
                root.path("capacityBytes").asLong(), root.path("atMs").asLong(),
                Math.max(1, root.path("completed").asInt(1)),
                root.path("backlogMs").asDouble(io.gpufaas.core.contract.WorkerReport.UNKNOWN_BACKLOG));
    }

    private static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> map = new HashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode readTree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    private static byte[] write(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
