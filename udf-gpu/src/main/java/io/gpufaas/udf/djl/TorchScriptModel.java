package io.gpufaas.udf.djl;

import ai.djl.engine.EngineException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpufaas.core.contract.ErrorMessages;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.udf.api.ExecutionOutcome;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.udf.api.Footprint;
import io.gpufaas.udf.api.LoadedModel;
import io.gpufaas.udf.device.ComputeDevice;
import io.gpufaas.udf.repo.FunctionDefinition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.stream.IntStream;

/**
 * A TorchScript model resident on a device. One model serves several threads: a DJL predictor is
 * not thread-safe, so each run borrows one from a pool that grows to the concurrency it sees.
 */
final class TorchScriptModel implements LoadedModel {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TorchScriptModel.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FunctionDefinition definition;
    private final ComputeDevice device;
    private final ZooModel<NDList, float[][]> model;
    private final Footprint footprint;
    private final long loadNanos;
    private final ConcurrentLinkedDeque<Predictor<NDList, float[][]>> predictors = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    TorchScriptModel(FunctionDefinition definition, ComputeDevice device, ZooModel<NDList, float[][]> model,
            Footprint footprint, long loadNanos) {
        this.definition = definition;
        this.device = device;
        this.model = model;
        this.footprint = footprint;
        this.loadNanos = loadNanos;
    }

    @Override
    public String function() {
        return definition.name();
    }

    @Override
    public ComputeDevice device() {
        return device;
    }

    @Override
    public Footprint footprint() {
        return footprint;
    }

    @Override
    public long loadNanos() {
        return loadNanos;
    }

    @Override
    public ExecutionOutcome run(Payload input) {
        return runBatch(List.of(input)).get(0);
    }

    /**
     * Runs the inputs as one batch: concatenated along the first dimension, one forward pass,
     * split back per input. An input that cannot become a tensor fails alone.
     */
    @Override
    public List<ExecutionOutcome> runBatch(List<Payload> inputs) {
        if (closed) {
            throw new IllegalStateException(definition.name() + " on " + device.id() + " is closed");
        }
        ExecutionOutcome[] outcomes = new ExecutionOutcome[inputs.size()];
        Predictor<NDList, float[][]> predictor = borrow();
        try (NDManager manager = model.getNDManager().newSubManager()) {
            List<NDArray> tensors = new ArrayList<>();
            List<Integer> owners = new ArrayList<>();
            List<Long> rows = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                try {
                    NDArray t = InputTensors.toTensor(manager, inputs.get(i), definition.image());
                    tensors.add(t);
                    owners.add(i);
                    rows.add(t.getShape().get(0));
                } catch (InputTensors.InvalidInputException e) {
                    outcomes[i] = ExecutionOutcome.failure(ErrorCode.INVALID_INPUT, e.getMessage());
                }
            }
            if (!tensors.isEmpty()) {
                NDArray batch = tensors.size() == 1 ? tensors.get(0) : NDArrays.concat(new NDList(tensors), 0);
                float[][] probabilities = predictor.predict(new NDList(batch));
                int row = 0;
                for (int t = 0; t < tensors.size(); t++) {
                    int n = rows.get(t).intValue();
                    outcomes[owners.get(t)] = ExecutionOutcome.success(topK(probabilities, row, n));
                    row += n;
                }
            }
        } catch (TranslateException | EngineException | IllegalArgumentException e) {
            // The engine's message is a TorchScript traceback naming files on the build host: the
            // log keeps it, the result gets its first line.
            LOG.warn("{} on {}: a batch of {} failed", definition.name(), device.id(), inputs.size(), e);
            ExecutionOutcome failure = ExecutionOutcome.failure(
                    TorchScriptFunction.isOutOfMemory(e) ? ErrorCode.OUT_OF_DEVICE_MEMORY : ErrorCode.INTERNAL,
                    definition.name() + ": " + ErrorMessages.brief(e.getMessage()));
            for (int i = 0; i < outcomes.length; i++) {
                if (outcomes[i] == null) {
                    outcomes[i] = failure;
                }
            }
        } finally {
            predictors.push(predictor);
        }
        return List.of(outcomes);
    }

    @Override
    public long workingBytes(Payload input) {
        return InputTensors.workingBytes(input, definition.image());
    }

    private String topK(float[][] probabilities, int from, int count) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode predictions = out.putArray("predictions");
        for (int r = from; r < from + count; r++) {
            float[] p = probabilities[r];
            ArrayNode top = predictions.addObject().putArray("topK");
            IntStream.range(0, p.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i))
                    .limit(definition.topK())
                    .forEach(i -> top.addObject().put("index", i).put("label", definition.label(i)).put("score", p[i]));
        }
        return out.toString();
    }

    private Predictor<NDList, float[][]> borrow() {
        Predictor<NDList, float[][]> p = predictors.poll();
        return p != null ? p : model.newPredictor();
    }

    @Override
    public void close() {
        closed = true;
        Predictor<NDList, float[][]> p;
        while ((p = predictors.poll()) != null) {
            p.close();
        }
        model.close();
    }
}
