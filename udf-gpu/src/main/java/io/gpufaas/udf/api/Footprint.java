package io.gpufaas.udf.api;

import java.util.OptionalLong;

/**
 * Memory a loaded model holds on its device.
 *
 * @param parameterBytes sum over the model's parameters of elements x dtype size
 * @param deviceDeltaBytes drop in the device's free memory across the load (CUDA only): also
 *     counts buffers and allocator rounding; -1 when unknown
 */
public record Footprint(long parameterBytes, long deviceDeltaBytes) {

    public static Footprint ofParameters(long bytes) {
        return new Footprint(bytes, -1);
    }

    public OptionalLong measuredOnDevice() {
        return deviceDeltaBytes < 0 ? OptionalLong.empty() : OptionalLong.of(deviceDeltaBytes);
    }

    /** What a cache should account: the larger of what the parameters need and what the device lost. */
    public long bytes() {
        return Math.max(parameterBytes, deviceDeltaBytes);
    }
}
