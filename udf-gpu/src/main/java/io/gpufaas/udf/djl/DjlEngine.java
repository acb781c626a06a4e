package io.gpufaas.udf.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.gpufaas.udf.device.ComputeDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DJL's PyTorch engine, loaded once per JVM, strictly offline: libtorch comes from the native jar
 * on the classpath, never from a download at run time.
 */
public final class DjlEngine {

    private static final Logger LOG = LoggerFactory.getLogger(DjlEngine.class);
    public static final String NAME = "PyTorch";

    private static volatile Engine engine;

    private DjlEngine() {}

    public static Engine pytorch() {
        Engine e = engine;
        if (e == null) {
            synchronized (DjlEngine.class) {
                e = engine;
                if (e == null) {
                    if (System.getProperty("ai.djl.offline") == null) {
                        System.setProperty("ai.djl.offline", "true");
                    }
                    e = Engine.getEngine(NAME);
                    LOG.info("DJL {} engine {} loaded; it sees {} GPU(s)", NAME, e.getVersion(), e.getGpuCount());
                    engine = e;
                }
            }
        }
        return e;
    }

    /**
     * The DJL device for {@code device}. A CUDA device DJL cannot see (the CPU build of libtorch,
     * or a CUDA runtime it rejected) is an error, never a silent run on the CPU.
     */
    public static Device toDjl(ComputeDevice device) {
        if (!device.isCuda()) {
            return Device.cpu();
        }
        int visible = pytorch().getGpuCount();
        if (device.index() >= visible) {
            throw new IllegalStateException("DJL's PyTorch sees " + visible + " GPU(s), so it cannot use "
                    + device.id() + ": the classpath holds the CPU build of libtorch (build with -Pcuda), or DJL "
                    + "rejected the CUDA runtime it found (point -Djna.library.path at a CUDA 12 libcudart)");
        }
        return Device.gpu(device.index());
    }
}
