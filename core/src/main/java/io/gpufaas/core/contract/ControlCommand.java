package io.gpufaas.core.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.InvocationDecoder;
import io.gpufaas.core.contract.RawRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A record of the control topic: deploy or remove a function while the job runs. The topic is
 * compacted and keyed by function name, so it always holds each function's latest command.
 *
 * <pre>
 * {"v": 1, "action": "DEPLOY", "function": "resnet50"}                read (again) from the model repository
 * {"v": 1, "action": "DEPLOY", "function": "resnet50", "version": 3}  serve model version 3 (e.g. roll back)
 * {"v": 1, "action": "REMOVE", "function": "resnet50"}                stop accepting invocations of it
 * key "resnet50", no value (a tombstone)                               the same as REMOVE
 * </pre>
 *
 * The record's key must be the function's name: compaction keeps the latest record per key, so a
 * command keyed otherwise would survive as some other function's latest state.
 *
 * @param version the model version a DEPLOY pins; 0 for the one the function's descriptor serves
 */
public record ControlCommand(Action action, String function, int version) {

    public ControlCommand(Action action, String function) {
        this(action, function, 0);
    }

    public enum Action {
        DEPLOY,
        REMOVE
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The command, or a dead letter saying why the record is not one. */
    public sealed interface Parsed {
        record Command(ControlCommand command) implements Parsed {}

        record Rejected(DeadLetter deadLetter) implements Parsed {}
    }

    public static Parsed parse(RawRecord record) {
        String key = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value().length == 0) {
            return FunctionSpec.isValidName(key)
                    ? new Parsed.Command(new ControlCommand(Action.REMOVE, key))
                    : reject(ErrorCode.INVALID_FIELD, "a tombstone's key must be a function name, was '" + key + "'", record);
        }
        JsonNode root;
        try {
            root = JSON.readTree(record.value());
        } catch (IOException e) {
            return reject(ErrorCode.MALFORMED, "control record is not valid JSON", record);
        }
        if (root == null || !root.isObject()) {
            return reject(ErrorCode.MALFORMED, "control record is not a JSON object", record);
        }
        if (root.path("v").asInt(-1) != InvocationDecoder.CONTRACT_VERSION) {
            return reject(ErrorCode.UNSUPPORTED_VERSION, "control record version must be "
                    + InvocationDecoder.CONTRACT_VERSION, record);
        }
        Action action;
        try {
            action = Action.valueOf(root.path("action").asText());
        } catch (IllegalArgumentException e) {
            return reject(ErrorCode.INVALID_FIELD, "'action' must be DEPLOY or REMOVE", record);
        }
        String function = root.path("function").asText("");
        if (!FunctionSpec.isValidName(function)) {
            return reject(ErrorCode.INVALID_FIELD, "'function' must match " + FunctionSpec.NAME + " without '..'", record);
        }
        if (!key.equals(function)) {
            return reject(ErrorCode.INVALID_FIELD, "the record key must be the function's name '" + function
                    + "' (the compacted topic keeps one command per key), was " + describeKey(record.key()), record);
        }
        int version = 0;
        if (root.has("version")) {
            JsonNode v = root.get("version");
            if (action != Action.DEPLOY || !v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > 999_999_999) {
                return reject(ErrorCode.INVALID_FIELD, "'version' must be a positive integer, and only in a DEPLOY",
                        record);
            }
            version = v.asInt();
        }
        return new Parsed.Command(new ControlCommand(action, function, version));
    }

    /** A key as a person can read it, whatever bytes it holds. */
    private static String describeKey(byte[] key) {
        if (key.length == 0) {
            return "empty";
        }
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < Math.min(key.length, 64); i++) {
            int b = key[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '\\') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        return sb.append(key.length > 64 ? "...'" : "'").toString();
    }

    private static Parsed reject(ErrorCode reason, String message, RawRecord record) {
        return new Parsed.Rejected(new DeadLetter(reason, message, "", record));
    }
}
