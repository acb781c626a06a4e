package io.gpufaas.core.sim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The clairvoyant reference: Belady's furthest-next-use eviction on one cache of the pool's
 * aggregate memory, over the workload's access sequence. With models of different sizes it is a
 * strong heuristic rather than a proven optimum, and it ignores that a model lives on one GPU; it
 * shows how far each policy's hit ratio is from what foresight could do.
 */
public final class Belady {

    private Belady() {}

    public static double hitRatio(Workload w, long capacityBytes) {
        int n = w.invocations();
        int[] nextUse = new int[n];
        Map<Integer, Integer> last = new HashMap<>();
        for (int i = n - 1; i >= 0; i--) {
            nextUse[i] = last.getOrDefault(w.function()[i], Integer.MAX_VALUE);
            last.put(w.function()[i], i);
        }
        int[] residentNext = new int[w.models().size()];
        Arrays.fill(residentNext, -1);
        PriorityQueue<int[]> byNextUse = new PriorityQueue<>((a, b) -> Integer.compare(b[1], a[1]));
        long used = 0;
        long hits = 0;
        for (int i = 0; i < n; i++) {
            int f = w.function()[i];
            if (residentNext[f] >= 0) {
                hits++;
            } else {
                if (w.bytes()[f] > capacityBytes) {
                    continue;
                }
                while (used + w.bytes()[f] > capacityBytes) {
                    int[] victim = byNextUse.poll();
                    if (residentNext[victim[0]] != victim[1]) {
                        continue; // stale entry
                    }
                    residentNext[victim[0]] = -1;
                    used -= w.bytes()[victim[0]];
                }
                used += w.bytes()[f];
            }
            residentNext[f] = nextUse[i];
            byNextUse.add(new int[] {f, nextUse[i]});
        }
        return n == 0 ? 0 : (double) hits / n;
    }
}
