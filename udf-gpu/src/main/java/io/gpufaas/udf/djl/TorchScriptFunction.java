package io.gpufaas.udf.djl;

import ai.djl.MalformedModelException;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.Pair;
import io.gpufaas.core.contract.ErrorCode;
import io.gpufaas.core.contract.ErrorMessages;
import io.gpufaas.core.contract.FunctionSpec;
import io.gpufaas.udf.api.Footprint;
import io.gpufaas.udf.api.InferenceFunction;
import io.gpufaas.udf.api.LoadOutcome;
import io.gpufaas.udf.device.ComputeDevice;
import io.gpufaas.udf.device.CudaDevices;
import io.gpufaas.udf.repo.FunctionDefinition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A function backed by a TorchScript model, loaded through DJL's {@link Criteria} exactly as a
 * user's own {@code .pt} file would be.
 */
public final class TorchScriptFunction implements InferenceFunction {

    private static final Logger LOG = LoggerFactory.getLogger(TorchScriptFunction.class);

    private final FunctionDefinition definition;
    /** The file's tensors, uncompressed ({@link ModelArchive}); -1 if the file is no readable zip. */
    private final long storedTensorBytes;

    public TorchScriptFunction(FunctionDefinition definition) {
        this.definition = definition;
        this.storedTensorBytes = ModelArchive.tensorBytes(definition.modelPath());
    }

    @Override
    public FunctionSpec spec() {
        return definition.spec();
    }

    /**
     * What the router and the worker assume before a load measures it: the declaration, or the
     * file's size, but never less than the archive's tensors take uncompressed (a declaration can
     * be wrong, and a small file can inflate).
     */
    @Override
    public long estimatedFootprintBytes() {
        long declaredOrFile = definition.declaredMemoryBytes() > 0 ? definition.declaredMemoryBytes()
                : definition.modelFileBytes();
        return Math.max(declaredOrFile, storedTensorBytes);
    }

    @Override
    public int minCopies() {
        return definition.minCopies();
    }

    @Override
    public int maxCopies() {
        return definition.maxCopies();
    }

    @Override
    public LoadOutcome load(ComputeDevice device) {
        long start = System.nanoTime();
        if (storedTensorBytes > device.totalMemoryBytes()) {
            // Refused before a byte is inflated: the archive already shows it cannot fit.
            return new LoadOutcome.Failed(ErrorCode.OUT_OF_DEVICE_MEMORY, definition.name() + ": the model file's "
                    + "tensors take " + storedTensorBytes + " bytes uncompressed; device " + device.id() + " has "
                    + device.totalMemoryBytes() + " in all", storedTensorBytes);
        }
        ZooModel<NDList, float[][]> model = null;
        try {
            ai.djl.Device djlDevice = DjlEngine.toDjl(device);
            OptionalLong freeBefore = CudaDevices.freeMemory(device);
            Path file = definition.modelPath();
            String fileName = file.getFileName().toString();
            model = Criteria.builder()
                    .setTypes(NDList.class, float[][].class)
                    .optModelPath(file.getParent())
                    .optModelName(fileName.endsWith(".pt") ? fileName.substring(0, fileName.length() - 3) : fileName)
                    .optEngine(DjlEngine.NAME)
                    .optDevice(djlDevice)
                    // Weights saved on any device are mapped onto ours.
                    .optOption("mapLocation", "true")
                    .optTranslator(new ProbabilitiesTranslator())
                    .build()
                    .loadModel();
            long parameterBytes = parameterBytes(model);
            OptionalLong freeAfter = CudaDevices.freeMemory(device);
            long delta = freeBefore.isPresent() && freeAfter.isPresent()
                    ? Math.max(0, freeBefore.getAsLong() - freeAfter.getAsLong()) : -1;
            Footprint footprint = new Footprint(parameterBytes, delta, Math.max(0, storedTensorBytes));
            long loadNanos = System.nanoTime() - start;
            LOG.info("loaded {} v{} on {} (DJL device {}) in {} ms, {} parameter bytes{}", definition.name(),
                    definition.version(), device.id(), model.getNDManager().getDevice(), loadNanos / 1_000_000,
                    parameterBytes, delta >= 0 ? ", device free memory dropped by " + delta : "");
            return new LoadOutcome.Loaded(new TorchScriptModel(definition, device, model, footprint, loadNanos));
        } catch (ModelNotFoundException | MalformedModelException | IOException e) {
            close(model);
            LOG.warn("loading {} on {} failed", definition.name(), device.id(), e);
            return LoadOutcome.failed(ErrorCode.MODEL_LOAD_FAILED, definition.name() + ": " + ErrorMessages.brief(e.getMessage()));
        } catch (EngineException | IllegalStateException | IllegalArgumentException e) {
            close(model);
            LOG.warn("loading {} on {} failed", definition.name(), device.id(), e);
            return LoadOutcome.failed(isOutOfMemory(e) ? ErrorCode.OUT_OF_DEVICE_MEMORY : ErrorCode.MODEL_LOAD_FAILED,
                    definition.name() + ": " + ErrorMessages.brief(e.getMessage()));
        } catch (OutOfMemoryError e) {
            close(model);
            LOG.warn("loading {} on {} ran out of memory", definition.name(), device.id(), e);
            return LoadOutcome.failed(ErrorCode.OUT_OF_DEVICE_MEMORY, definition.name() + ": " + ErrorMessages.brief(e.getMessage()));
        }
    }

    static long parameterBytes(ZooModel<?, ?> model) {
        long bytes = 0;
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            if (p.getValue().isInitialized()) {
                bytes += p.getValue().getArray().size() * p.getValue().getArray().getDataType().getNumOfBytes();
            }
        }
        return bytes;
    }

    static boolean isOutOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("out of memory")) {
                return true;
            }
        }
        return false;
    }

    private static void close(ZooModel<?, ?> model) {
        if (model != null) {
            model.close();
        }
    }
}
