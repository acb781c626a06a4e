package io.gpufaas.core.router.policy;

import java.util.Arrays;

/**
 * A binary min-heap of primitive doubles: a worker view's expected ends of running work, summed by
 * every backlog estimate. It keeps its array laid out exactly as {@code PriorityQueue<Double>}
 * does (the same sift up and down, ordered by {@link Double#compare}), so a walk in array order
 * adds the same values in the same order, and a sum over it is the same to the last bit. A boxed
 * queue's walk chased a pointer per element, and each offer allocated one.
 */
final class DoubleMinHeap {

    private double[] values = new double[4];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The value at {@code i} in array order, {@code 0 <= i < size()}: index 0 is the least. */
    double at(int i) {
        return values[i];
    }

    void add(double v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        int k = size++;
        while (k > 0) {
            int parent = (k - 1) >>> 1;
            double p = values[parent];
            if (Double.compare(v, p) >= 0) {
                break;
            }
            values[k] = p;
            k = parent;
        }
        values[k] = v;
    }

    /** Removes the least value; nothing when empty. */
    void poll() {
        if (size == 0) {
            return;
        }
        int n = --size;
        double last = values[n];
        if (n > 0) {
            siftDown(last, n);
        }
    }

    void clear() {
        size = 0;
    }

    private void siftDown(double v, int n) {
        int k = 0;
        int half = n >>> 1;
        while (k < half) {
            int child = (k << 1) + 1;
            double c = values[child];
            int right = child + 1;
            if (right < n && Double.compare(c, values[right]) > 0) {
                c = values[child = right];
            }
            if (Double.compare(v, c) <= 0) {
                break;
            }
            values[k] = c;
            k = child;
        }
        values[k] = v;
    }
}
