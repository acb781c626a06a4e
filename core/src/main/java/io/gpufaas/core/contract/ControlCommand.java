package io.gpufaas.core.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpufaas.core.contract.DeadLetter;
import io.gpufaas.core.contract.InvocationDecoder;
import io.gpufaas.core.contract.RawRecord;
import io.gpufaas.core.contract.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A record of the control topic: deploy or remove a function while the job runs. The topic is
 * compacted and keyed by function name, so it always holds each function's latest command.
 *
 * <pre>
 * {"v": 1, "action": "DEPLOY", "function": "resnet50"}   read (again) from the model repository
 * {"v": 1, "action": "REMOVE", "function": "resnet50"}   stop accepting invocations of it
 * key "resnet50", no value (a tombstone)                  the same as REMOVE
 * </pre>
 */
public record ControlCommand(Action action, String function) {

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
        return new Parsed.Command(new ControlCommand(action, function));
    }

    private static Parsed reject(ErrorCode reason, String message, RawRecord record) {
        return new Parsed.Rejected(new DeadLetter(reason, message, "", record));
    }
}
