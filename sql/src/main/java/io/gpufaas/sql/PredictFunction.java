package io.gpufaas.sql;

import io.gpufaas.client.GpuFaasClient;
import io.gpufaas.client.Input;
import io.gpufaas.client.RejectedException;
import io.gpufaas.core.contract.ResultStatus;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

/**
 * One row, one invocation: the row's input column is sent through the client, its result becomes
 * the output row. Public because the planner's generated code refers to it.
 */
public final class PredictFunction extends AsyncPredictFunction {

    private static final long serialVersionUID = 1L;

    /** How the input column becomes an invocation's input. */
    public enum InputKind { TEXT, IMAGE, TENSOR }

    private final String function;
    private final String bootstrapServers;
    private final String invocationsTopic;
    private final String resultsTopic;
    private final String deadLettersTopic;
    private final Duration timeout;
    private final int maxInFlight;
    private final InputKind kind;
    private final long[] shape;
    private final PredictColumns columns;
    private final boolean failOnError;
    private transient GpuFaasClient client;

    PredictFunction(String function, String bootstrapServers, String invocationsTopic, String resultsTopic,
            String deadLettersTopic, Duration timeout, int maxInFlight, InputKind kind, long[] shape, PredictColumns columns,
            boolean failOnError) {
        this.function = function;
        this.bootstrapServers = bootstrapServers;
        this.invocationsTopic = invocationsTopic;
        this.resultsTopic = resultsTopic;
        this.deadLettersTopic = deadLettersTopic;
        this.timeout = timeout;
        this.maxInFlight = maxInFlight;
        this.kind = kind;
        this.shape = shape;
        this.columns = columns;
        this.failOnError = failOnError;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        client = GpuFaasClient.builder().bootstrapServers(bootstrapServers)
                .topics(invocationsTopic, resultsTopic, deadLettersTopic).timeout(timeout).maxInFlight(maxInFlight).build();
    }

    @Override
    public CompletableFuture<Collection<RowData>> asyncPredict(RowData row) {
        if (row.isNullAt(0)) {
            return CompletableFuture.completedFuture(List.of(columns.failure("REJECTED", "INVALID_INPUT: the input is NULL")));
        }
        Input input;
        try {
            input = input(row);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(List.of(columns.failure("REJECTED", "INVALID_INPUT: " + e.getMessage())));
        }
        return client.invoke(function, input, timeout, Map.of()).handle((result, error) -> {
            if (error == null) {
                if (failOnError && result.status() != ResultStatus.OK) {
                    throw new CompletionException(new IllegalStateException("invocation of " + function + " ended "
                            + result.status() + " " + result.errorCode() + ": " + result.errorMessage()));
                }
                return List.of(columns.row(result));
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            String status = cause instanceof RejectedException ? "REJECTED" : "ERROR";
            String message = cause instanceof TimeoutException ? "TIMEOUT: " + cause.getMessage() : cause.getMessage();
            if (failOnError) {
                throw new CompletionException(cause);
            }
            return List.of(columns.failure(status, message));
        });
    }

    private Input input(RowData row) {
        return switch (kind) {
            case TEXT -> Input.text(row.getString(0).toString());
            case IMAGE -> Input.image(row.getBinary(0));
            case TENSOR -> {
                ArrayData array = row.getArray(0);
                float[] values = array.toFloatArray();
                yield Input.tensor(shape != null ? shape : new long[] {1, values.length}, values);
            }
        };
    }

    @Override
    public void close() throws Exception {
        if (client != null) {
            client.close();
        }
    }
}
