package io.gpufaas.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpufaas.core.contract.InvocationResult;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * The output columns a gpufaas model can have, by name: {@code status} (OK, ERROR, EXPIRED or
 * REJECTED), {@code error} (code: message), {@code output} (the result's output JSON),
 * {@code label} and {@code score} (the top prediction of a classifier), {@code topk} (all top-k
 * predictions of the first input row, as JSON), {@code text} (a text output, as echo gives).
 */
final class PredictColumns implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    static final List<String> NAMES = List.of("status", "error", "output", "label", "score", "topk", "text");

    private final String[] names;
    private final boolean[] scoreIsFloat;

    private PredictColumns(String[] names, boolean[] scoreIsFloat) {
        this.names = names;
        this.scoreIsFloat = scoreIsFloat;
    }

    static PredictColumns of(List<String> names, List<LogicalType> types) {
        String[] n = new String[names.size()];
        boolean[] floats = new boolean[names.size()];
        for (int i = 0; i < n.length; i++) {
            n[i] = names.get(i).toLowerCase(Locale.ROOT);
            if (!NAMES.contains(n[i])) {
                throw new IllegalArgumentException("a gpufaas model has no output column '" + names.get(i) + "'; it has "
                        + NAMES);
            }
            LogicalTypeRoot root = types.get(i).getTypeRoot();
            boolean numeric = root == LogicalTypeRoot.DOUBLE || root == LogicalTypeRoot.FLOAT;
            boolean text = root == LogicalTypeRoot.VARCHAR || root == LogicalTypeRoot.CHAR;
            if (n[i].equals("score") ? !numeric : !text) {
                throw new IllegalArgumentException("output column '" + names.get(i) + "' must be "
                        + (n[i].equals("score") ? "DOUBLE or FLOAT" : "STRING") + ", was " + types.get(i));
            }
            floats[i] = root == LogicalTypeRoot.FLOAT;
        }
        return new PredictColumns(n, floats);
    }

    /** The row for a result. */
    RowData row(InvocationResult r) {
        JsonNode output = parse(r.outputJson());
        JsonNode top = output.path("predictions").path(0).path("topK").path(0);
        GenericRowData row = new GenericRowData(names.length);
        for (int i = 0; i < names.length; i++) {
            row.setField(i, switch (names[i]) {
                case "status" -> StringData.fromString(r.status().name());
                case "error" -> r.errorCode().isEmpty() ? null : StringData.fromString(r.errorCode() + ": " + r.errorMessage());
                case "output" -> r.outputJson().isEmpty() ? null : StringData.fromString(r.outputJson());
                case "label" -> top.has("label") ? StringData.fromString(top.get("label").asText()) : null;
                case "score" -> top.has("score") ? score(top.get("score").asDouble(), i) : null;
                case "topk" -> {
                    JsonNode topK = output.path("predictions").path(0).path("topK");
                    yield topK.isArray() ? StringData.fromString(topK.toString()) : null;
                }
                case "text" -> output.has("text") ? StringData.fromString(output.get("text").asText()) : null;
                default -> null;
            });
        }
        return row;
    }

    /** The row for an invocation that got no result: refused (a dead letter) or timed out. */
    RowData failure(String status, String error) {
        GenericRowData row = new GenericRowData(names.length);
        for (int i = 0; i < names.length; i++) {
            row.setField(i, switch (names[i]) {
                case "status" -> StringData.fromString(status);
                case "error" -> StringData.fromString(error);
                default -> null;
            });
        }
        return row;
    }

    private Object score(double score, int i) {
        return scoreIsFloat[i] ? (Object) (float) score : (Object) score;
    }

    private static JsonNode parse(String json) {
        if (json.isEmpty()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
