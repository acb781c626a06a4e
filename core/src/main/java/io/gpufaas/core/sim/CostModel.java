package io.gpufaas.core.sim;

/**
 * What loading and running a model costs on one GPU.
 *
 * @param loadBytesPerMs host-to-device (and deserialisation) throughput of a load
 * @param loadOverheadMs fixed cost of any load (allocation, framework set-up)
 * @param msPerGflop inference time per GFLOP at batch 1
 * @param execOverheadMs fixed cost of any inference (kernel launches, copies)
 */
public record CostModel(double loadBytesPerMs, double loadOverheadMs, double msPerGflop, double execOverheadMs) {

    /**
     * A V100-class GPU loading from host memory through a framework: Clockwork's (OSDI'20)
     * ResNet-50 figures, 3.3 ms inference for 4.1 GFLOPs, and a load dominated by the framework's
     * deserialisation (~1 GB/s effective, 100 ms fixed), as a FaaS cold model load is.
     */
    public static CostModel v100FromHost() {
        return new CostModel(1_000_000, 100, 0.8, 0.5);
    }

    public double loadMs(long bytes) {
        return loadOverheadMs + bytes / loadBytesPerMs;
    }

    public double execMs(double gflops) {
        return execOverheadMs + gflops * msPerGflop;
    }

    /**
     * Share of a batch-1 run that a batch pays once, whatever its size (kernel launches, weights
     * read once); the rest grows with each input. Fitted to Clockwork's ResNet-50 on a V100: 3.3 ms
     * at batch 1, 5.3 at 2, 7.5 at 4, 12.4 at 8 (this gives 1, 1.4, 2.2 and 3.8 times batch 1
     * against the measured 1, 1.6, 2.3 and 3.8).
     */
    static final double BATCH_FIXED_SHARE = 0.6;

    /** How long a batch of {@code size} takes when one input takes {@code execMs}. */
    public static double batchMs(double execMs, int size) {
        return execMs * (BATCH_FIXED_SHARE + (1 - BATCH_FIXED_SHARE) * size);
    }
}
