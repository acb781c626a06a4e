package io.gpufaas.udf.api;

import java.util.OptionalLong;

/**
 * Memory a loaded model holds on its device.
 *
 * @param parameterBytes sum over the model's parameters of elements x dtype size
 * @param deviceDeltaBytes drop in the device's free memory across the load (CUDA only): also
 *     counts buffers and allocator rounding; -1 when unknown
 * @param storedTensorBytes the uncompressed bytes of every tensor storage the model file holds
 *     (buffers and constants as well as parameters), all of which a load materializes; 0 when
 *     unknown
 */
public record Footprint(long parameterBytes, long deviceDeltaBytes, long storedTensorBytes) {

    public Footprint(long parameterBytes, long deviceDeltaBytes) {
        this(parameterBytes, deviceDeltaBytes, 0);
    }

    public static Footprint ofParameters(long bytes) {
        return new Footprint(bytes, -1);
    }

    public OptionalLong measuredOnDevice() {
        return deviceDeltaBytes < 0 ? OptionalLong.empty() : OptionalLong.of(deviceDeltaBytes);
    }

    /**
     * What a cache should account: the largest of what the parameters need, what the device lost,
     * and what the file's tensors take once loaded. Measured, never the descriptor's declaration.
     */
    public long bytes() {
        return Math.max(Math.max(parameterBytes, deviceDeltaBytes), storedTensorBytes);
    }
}
