package io.gpufaas.udf.device;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CUDA devices as the driver reports them, through JCuda's driver binding (which needs only
 * {@code libcuda.so.1}). Probed once per JVM: without a driver the first JCuda call throws
 * {@link UnsatisfiedLinkError} and every later one {@link NoClassDefFoundError}, so the first
 * answer is cached, including "no GPU" and why.
 */
public final class CudaDevices {

    private static final Logger LOG = LoggerFactory.getLogger(CudaDevices.class);

    /** What the probe found: devices, or none and the reason. */
    public record Probe(List<ComputeDevice> devices, String reason) {
        public boolean available() {
            return !devices.isEmpty();
        }
    }

    private static volatile Probe probe;

    private CudaDevices() {}

    public static Probe probe() {
        Probe p = probe;
        if (p == null) {
            synchronized (CudaDevices.class) {
                p = probe;
                if (p == null) {
                    p = runProbe();
                    probe = p;
                    if (p.available()) {
                        LOG.info("CUDA devices: {}", p.devices());
                    } else {
                        LOG.info("no CUDA device: {}", p.reason());
                    }
                }
            }
        }
        return p;
    }

    private static Probe runProbe() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
            int[] count = new int[1];
            cuDeviceGetCount(count);
            if (count[0] == 0) {
                return new Probe(List.of(), "the CUDA driver reports no devices");
            }
            List<ComputeDevice> devices = new ArrayList<>();
            for (int i = 0; i < count[0]; i++) {
                CUdevice device = new CUdevice();
                cuDeviceGet(device, i);
                byte[] name = new byte[256];
                cuDeviceGetName(name, name.length, device);
                long[] total = new long[1];
                cuDeviceTotalMem(total, device);
                devices.add(new ComputeDevice(ComputeDevice.Kind.CUDA, i, cString(name), total[0]));
            }
            return new Probe(List.copyOf(devices), "");
        } catch (LinkageError e) {
            return new Probe(List.of(), "no CUDA driver (libcuda.so.1) could be loaded: " + e.getMessage());
        } catch (CudaException e) {
            return new Probe(List.of(), "CUDA driver error: " + e.getMessage());
        }
    }

    /**
     * Free memory on a CUDA device as the driver sees it (all processes and allocators), or empty
     * for a CPU device or when the query fails. Uses the device's primary context, the one
     * libtorch shares, so it creates no context of its own.
     */
    public static OptionalLong freeMemory(ComputeDevice device) {
        if (!device.isCuda() || !probe().available()) {
            return OptionalLong.empty();
        }
        try {
            CUdevice dev = new CUdevice();
            cuDeviceGet(dev, device.index());
            CUcontext ctx = new CUcontext();
            cuDevicePrimaryCtxRetain(ctx, dev);
            try {
                cuCtxSetCurrent(ctx);
                long[] free = new long[1];
                long[] total = new long[1];
                cuMemGetInfo(free, total);
                return OptionalLong.of(free[0]);
            } finally {
                cuDevicePrimaryCtxRelease(dev);
            }
        } catch (CudaException | LinkageError e) {
            LOG.warn("cuMemGetInfo failed on {}: {}", device.id(), e.getMessage());
            return OptionalLong.empty();
        }
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.US_ASCII);
    }
}
