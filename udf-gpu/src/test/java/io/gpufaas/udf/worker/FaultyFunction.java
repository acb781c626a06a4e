package io.gpufaas.udf.worker;

import io.gpufaas.core.contract.FunctionSpec;
import io.gpufaas.core.contract.InputKind;
import io.gpufaas.core.contract.Payload;
import io.gpufaas.udf.api.ExecutionOutcome;
import io.gpufaas.udf.api.Footprint;
import io.gpufaas.udf.api.InferenceFunction;
import io.gpufaas.udf.api.LoadOutcome;
import io.gpufaas.udf.api.LoadedModel;
import io.gpufaas.udf.device.ComputeDevice;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test function that does what its text input says: {@code oom} throws OutOfMemoryError,
 * {@code soe} StackOverflowError, {@code npe} a NullPointerException, {@code wait} blocks until
 * {@link #release()}, anything else echoes. Its working bytes are the input's length, and it
 * counts how many runs, and how many input bytes, overlap. {@code failLoad} makes every load throw StackOverflowError.
 */
public final class FaultyFunction implements InferenceFunction {

    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostAtOnce = new AtomicInteger();
    /** Input bytes of the runs under way, and the most ever under way together. */
    final java.util.concurrent.atomic.AtomicLong runningBytes = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong mostBytesAtOnce = new java.util.concurrent.atomic.AtomicLong();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final String name;
    private final boolean failLoad;

    public FaultyFunction(String name, boolean failLoad) {
        this.name = name;
        this.failLoad = failLoad;
    }

    void release() {
        gate.countDown();
    }

    @Override
    public FunctionSpec spec() {
        return new FunctionSpec(name, EnumSet.of(InputKind.TEXT), null);
    }

    @Override
    public long estimatedFootprintBytes() {
        return 10;
    }

    @Override
    public LoadOutcome load(ComputeDevice device) {
        if (failLoad) {
            throw new StackOverflowError("deep in the loader");
        }
        return new LoadOutcome.Loaded(new LoadedModel() {
            @Override
            public String function() {
                return name;
            }

            @Override
            public ComputeDevice device() {
                return device;
            }

            @Override
            public Footprint footprint() {
                return Footprint.ofParameters(10);
            }

            @Override
            public long loadNanos() {
                return 0;
            }

            @Override
            public long workingBytes(Payload input) {
                return input.data().length;
            }

            @Override
            public ExecutionOutcome run(Payload input) {
                mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                mostBytesAtOnce.accumulateAndGet(runningBytes.addAndGet(input.data().length), Math::max);
                try {
                    String text = input.textValue();
                    switch (text) {
                        case "oom" -> throw new OutOfMemoryError("Java heap space");
                        case "soe" -> throw new StackOverflowError();
                        case "npe" -> throw new NullPointerException("a bug");
                        default -> {
                            if (text.startsWith("wait")) {
                                gate.await(30, TimeUnit.SECONDS);
                            }
                            return ExecutionOutcome.success("{\"text\":\"" + text.length() + "\"}");
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ExecutionOutcome.success("{}");
                } finally {
                    running.decrementAndGet();
                    runningBytes.addAndGet(-input.data().length);
                }
            }

            @Override
            public List<ExecutionOutcome> runBatch(List<Payload> inputs) {
                return inputs.stream().map(this::run).toList();
            }

            @Override
            public void close() {}
        });
    }
}
