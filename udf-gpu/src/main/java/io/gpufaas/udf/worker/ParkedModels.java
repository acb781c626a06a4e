package io.gpufaas.udf.worker;

import io.gpufaas.udf.api.LoadedModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Models still in device memory between a worker closing and the next worker on the same device
 * opening: what lets a restarted task skip reloading what its device already holds. A worker
 * parks its models when it closes ({@link DeviceWorker#close(ParkedModels)}); the next one on that
 * device takes back those its restored state lists ({@link DeviceWorker#warmUp(List, ParkedModels)})
 * and releases the rest. Whoever owns an instance releases what is left when no worker can come
 * back (the Flink worker: when the job's class loader goes, see WorkerFunction).
 */
public final class ParkedModels {

    private static final Logger LOG = LoggerFactory.getLogger(ParkedModels.class);

    /** Device id, then model key: a device shared by several workers (the CPU) can hold a model twice. */
    private final Map<String, Map<String, Deque<LoadedModel>>> byDevice = new HashMap<>();

    /** Keeps {@code model}, loaded on {@code deviceId}, for the next worker on that device. */
    public synchronized void park(String deviceId, String model, LoadedModel loaded) {
        byDevice.computeIfAbsent(deviceId, d -> new HashMap<>()).computeIfAbsent(model, m -> new ArrayDeque<>())
                .add(loaded);
    }

    /** A parked copy of {@code model} on {@code deviceId}, now the caller's to close. */
    public synchronized Optional<LoadedModel> take(String deviceId, String model) {
        Map<String, Deque<LoadedModel>> models = byDevice.get(deviceId);
        Deque<LoadedModel> copies = models == null ? null : models.get(model);
        if (copies == null || copies.isEmpty()) {
            return Optional.empty();
        }
        LoadedModel loaded = copies.poll();
        if (copies.isEmpty()) {
            models.remove(model);
        }
        return Optional.of(loaded);
    }

    /** Closes what is parked on {@code deviceId}: its new worker did not want it. Returns how many. */
    public int release(String deviceId) {
        List<LoadedModel> left;
        synchronized (this) {
            Map<String, Deque<LoadedModel>> models = byDevice.remove(deviceId);
            left = new ArrayList<>();
            if (models != null) {
                models.values().forEach(left::addAll);
            }
        }
        left.forEach(ParkedModels::close);
        return left.size();
    }

    /** Closes everything parked. Returns how many. */
    public int releaseAll() {
        List<String> devices;
        synchronized (this) {
            devices = new ArrayList<>(byDevice.keySet());
        }
        int released = 0;
        for (String device : devices) {
            released += release(device);
        }
        return released;
    }

    public synchronized int size() {
        return byDevice.values().stream().flatMap(m -> m.values().stream()).mapToInt(Deque::size).sum();
    }

    private static void close(LoadedModel model) {
        try {
            model.close();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("closing the parked model of {} on {} failed", model.function(), model.device().id(), e);
        }
    }
}
