package io.gpufaas.bench;

import io.gpufaas.core.contract.InputKind;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.udf.api.ExecutionOutcome;
import io.gpufaas.udf.api.InferenceFunction;
import io.gpufaas.udf.api.LoadOutcome;
import io.gpufaas.udf.api.LoadedModel;
import io.gpufaas.udf.djl.TorchScriptFunction;
import io.gpufaas.udf.device.ComputeDevice;
import io.gpufaas.udf.device.DeviceSelector;
import io.gpufaas.udf.repo.FunctionDefinition;
import io.gpufaas.udf.repo.ModelRepository;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Loads and runs every model of a repository on one device and prints, per model: file size,
 * parameter bytes, load time, first and steady inference time, and the load/inference ratio the
 * whole design rests on. Each figure is a median over repeated loads and runs on the same
 * machine in the same run.
 *
 * <p>{@code scripts/bench-models.sh [--repo models] [--device AUTO|CPU|CUDA] [--loads 3] [--runs 20]}
 */
public final class ModelBenchmark {

    private ModelBenchmark() {}

    public static void main(String[] args) {
        BenchArgs a = BenchArgs.parse(args);
        Path repo = a.path("repo", Path.of("models"));
        DeviceSelector.Preference preference = a.choice("device", DeviceSelector.Preference.AUTO);
        int loads = a.integer("loads", 3);
        int runs = a.integer("runs", 20);
        a.done();
        ComputeDevice device = new DeviceSelector(preference, 64L << 30).select(0, List.of());
        List<FunctionDefinition> functions = ModelRepository.scan(repo);
        System.out.printf("Model load vs inference on %s (%s), %d loads and %d runs per model, batch 1, %d CPU cores%n%n",
                device.id(), device.name(), loads, runs, Runtime.getRuntime().availableProcessors());
        // The first load in a JVM also loads libtorch; keep it out of every model's figures.
        warmUp(functions.get(0), device);

        System.out.println("| model | file MiB | parameter MiB | load ms | first inference ms | steady inference ms "
                + "| load / steady | cold start (load + first) / steady |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (FunctionDefinition def : functions) {
            InferenceFunction function = new TorchScriptFunction(def);
            Payload input = input(def);
            double[] loadMs = new double[loads];
            double[] firstMs = new double[loads];
            List<Double> steady = new ArrayList<>();
            long parameterBytes = 0;
            for (int l = 0; l < loads; l++) {
                LoadedModel model = load(function, device);
                loadMs[l] = model.loadNanos() / 1e6;
                parameterBytes = model.footprint().parameterBytes();
                try {
                    firstMs[l] = timeRun(model, input);
                    if (l == loads - 1) {
                        for (int r = 0; r < runs; r++) {
                            steady.add(timeRun(model, input));
                        }
                    }
                } finally {
                    model.close();
                }
            }
            double load = Stats.median(loadMs);
            double steadyMs = Stats.median(steady.stream().mapToDouble(Double::doubleValue).toArray());
            double first = Stats.median(firstMs);
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.0f | %.1f | %.1f | %.1fx | %.1fx |%n",
                    def.name(), def.modelFileBytes() / 1048576.0, parameterBytes / 1048576.0, load,
                    first, steadyMs, load / steadyMs, (load + first) / steadyMs);
        }
        System.out.printf("%nReproduce: scripts/bench-models.sh --repo %s --device %s --loads %d --runs %d%n",
                repo, preference, loads, runs);
    }

    private static void warmUp(FunctionDefinition def, ComputeDevice device) {
        LoadedModel model = load(new TorchScriptFunction(def), device);
        model.run(input(def));
        model.close();
    }

    private static LoadedModel load(InferenceFunction function, ComputeDevice device) {
        LoadOutcome outcome = function.load(device);
        if (outcome instanceof LoadOutcome.Failed f) {
            throw new IllegalStateException(function.spec().name() + ": " + f.code() + " " + f.message());
        }
        return ((LoadOutcome.Loaded) outcome).model();
    }

    private static double timeRun(LoadedModel model, Payload input) {
        long start = System.nanoTime();
        ExecutionOutcome outcome = model.run(input);
        long nanos = System.nanoTime() - start;
        if (outcome instanceof ExecutionOutcome.Failure f) {
            throw new IllegalStateException(model.function() + ": " + f.code() + " " + f.message());
        }
        return nanos / 1e6;
    }

    /** A random tensor of the model's declared shape, batch 1: the same work an image costs after decoding. */
    static Payload input(FunctionDefinition def) {
        long[] shape = def.spec().tensorShape().clone();
        if (shape.length == 0 || !def.spec().accepts(InputKind.TENSOR)) {
            throw new IllegalArgumentException(def.name() + " declares no tensor shape to benchmark with");
        }
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shape[i] == -1 ? 1 : shape[i];
            elements *= shape[i];
        }
        ByteBuffer data = ByteBuffer.allocate((int) elements * 4).order(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(42);
        for (long e = 0; e < elements; e++) {
            data.putFloat(random.nextFloat());
        }
        return Payload.tensor(shape, data.array());
    }
}
