package io.gpufaas.bench;

import io.gpufaas.core.contract.Invocation;
import io.gpufaas.core.contract.InvocationResult;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.core.contract.ResultStatus;
import io.gpufaas.core.contract.SourcePosition;
import io.gpufaas.core.worker.WorkerSettings;
import io.gpufaas.udf.FunctionRegistry;
import io.gpufaas.udf.device.ComputeDevice;
import io.gpufaas.udf.device.DeviceSelector;
import io.gpufaas.udf.repo.FunctionDefinition;
import io.gpufaas.udf.repo.ModelRepository;
import io.gpufaas.udf.worker.DeviceWorker;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Hit vs miss latency through the worker the job runs ({@link DeviceWorker}): for every model, an
 * invocation on a worker without the model (a miss: load, then run) against invocations once it
 * is resident (hits), end to end, medians of several rounds, side by side.
 *
 * <p>{@code scripts/bench-cache.sh [--repo models] [--device AUTO] [--rounds 3] [--hits 10]}
 */
public final class CacheBenchmark {

    private CacheBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchArgs a = BenchArgs.parse(args);
        Path repo = a.path("repo", Path.of("models"));
        DeviceSelector.Preference preference = a.choice("device", DeviceSelector.Preference.AUTO);
        int rounds = a.integer("rounds", 3);
        int hitsPerRound = a.integer("hits", 10);
        a.done();
        ComputeDevice device = new DeviceSelector(preference, 64L << 30).select(0, List.of());
        FunctionRegistry registry = FunctionRegistry.withRepository(repo);
        List<FunctionDefinition> functions = ModelRepository.scan(repo);
        WorkerSettings settings = WorkerSettings.DEFAULTS.withConcurrency(1).withBatching(1, 0).withOutOfOrder(false, 0).withWarmRestore(false);
        System.out.printf("Cache miss vs hit, end to end through DeviceWorker on %s, %d rounds x (1 miss + %d hits)%n%n",
                device.id(), rounds, hitsPerRound);
        // libtorch's one-time start-up belongs to no model.
        try (DeviceWorker warm = new DeviceWorker(0, device, registry, settings, new DeviceWorker.Listener() {})) {
            run(warm, functions.get(0), "warm-up");
        }
        System.out.println("| model | miss ms (load + run) | hit ms | miss / hit |");
        System.out.println("| --- | ---: | ---: | ---: |");
        for (FunctionDefinition def : functions) {
            double[] misses = new double[rounds];
            double[] hits = new double[rounds * hitsPerRound];
            for (int r = 0; r < rounds; r++) {
                try (DeviceWorker worker = new DeviceWorker(0, device, registry, settings, new DeviceWorker.Listener() {})) {
                    InvocationResult miss = run(worker, def, "miss-" + r);
                    misses[r] = miss.timing().endToEndMs();
                    for (int h = 0; h < hitsPerRound; h++) {
                        InvocationResult hit = run(worker, def, "hit-" + r + "-" + h);
                        if (!hit.placement().cacheHit()) {
                            throw new IllegalStateException("expected a hit: " + hit);
                        }
                        hits[r * hitsPerRound + h] = hit.timing().endToEndMs();
                    }
                }
            }
            double miss = Stats.median(misses);
            double hit = Math.max(Stats.median(hits), 0.5);
            System.out.printf(Locale.ROOT, "| %s | %.0f | %.1f | %.1fx |%n", def.name(), miss, Stats.median(hits), miss / hit);
        }
        System.out.printf("%nReproduce: scripts/bench-cache.sh --repo %s --device %s --rounds %d --hits %d%n",
                repo, preference, rounds, hitsPerRound);
    }

    private static InvocationResult run(DeviceWorker worker, FunctionDefinition def, String id) throws Exception {
        Payload input = ModelBenchmark.input(def);
        Invocation inv = new Invocation(id, def.name(), input, Invocation.NO_DEADLINE, Map.of(),
                new SourcePosition("bench", 0, 0, System.currentTimeMillis()));
        CompletableFuture<InvocationResult> f = new CompletableFuture<>();
        worker.submit(inv, f::complete);
        InvocationResult r = f.get(5, TimeUnit.MINUTES);
        if (r.status() != ResultStatus.OK) {
            throw new IllegalStateException(def.name() + ": " + r.errorCode() + " " + r.errorMessage());
        }
        return r;
    }
}
