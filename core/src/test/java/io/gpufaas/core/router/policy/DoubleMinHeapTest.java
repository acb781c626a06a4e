package io.gpufaas.core.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The worker view's heap of expected ends stands in for a {@code PriorityQueue<Double>}: its least
 * value, its array order and so every backlog sum over it must be the boxed queue's, bit for bit,
 * or the simulator's schedules would drift.
 */
class DoubleMinHeapTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void layoutAndSumsMatchThePriorityQueueUnderRandomOperations(long seed) {
        Random random = new Random(seed);
        DoubleMinHeap heap = new DoubleMinHeap();
        PriorityQueue<Double> queue = new PriorityQueue<>();
        for (int step = 0; step < 5_000; step++) {
            int op = random.nextInt(10);
            if (op < 5) {
                // Ties on purpose: many equal ends, and fractions whose sums round.
                double v = random.nextBoolean() ? random.nextInt(50) : random.nextDouble() * 1e4 / 3;
                heap.add(v);
                queue.add(v);
            } else if (op < 9) {
                heap.poll();
                queue.poll();
            } else if (random.nextInt(50) == 0) {
                heap.clear();
                queue.clear();
            }
            assertThat(heap.size()).isEqualTo(queue.size());
            assertThat(heap.isEmpty()).isEqualTo(queue.isEmpty());
            if (!queue.isEmpty()) {
                assertThat(heap.at(0)).isEqualTo(queue.peek());
            }
            List<Double> inArrayOrder = new ArrayList<>();
            for (int i = 0; i < heap.size(); i++) {
                inArrayOrder.add(heap.at(i));
            }
            assertThat(inArrayOrder).containsExactlyElementsOf(queue);
            double now = random.nextInt(40);
            double heapSum = 0;
            for (int i = 0; i < heap.size(); i++) {
                heapSum += Math.max(0, heap.at(i) - now);
            }
            double queueSum = 0;
            for (double v : queue) {
                queueSum += Math.max(0, v - now);
            }
            assertThat(Double.doubleToLongBits(heapSum)).isEqualTo(Double.doubleToLongBits(queueSum));
        }
    }
}
