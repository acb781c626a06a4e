package io.gpufaas.job.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpufaas.core.contract.WorkerOutput;
import io.gpufaas.core.contract.WorkerReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class SlicedReportsTest {

    private static StreamRecord<WorkerOutput> report(String model, String id, int completed) {
        return new StreamRecord<>(new WorkerOutput(null,
                new WorkerReport(0, model, id, 0, 1, 0, List.of(model), true, 1_000, 0, completed, 0.0)));
    }

    private static OneInputStreamOperatorTestHarness<WorkerOutput, WorkerReport> harness() throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new SlicedReports());
        h.setProcessingTime(1_000);
        h.open();
        return h;
    }

    @Test
    void aLoneReportLeavesAtOnceAndThoseWithinTheSliceLeaveMergedAtItsEnd() throws Exception {
        try (var h = harness()) {
            h.processElement(report("echo", "a", 1));
            assertThat(h.extractOutputValues()).extracting(WorkerReport::invocationId).containsExactly("a");

            h.processElement(report("echo", "b", 2));
            h.processElement(report("tiny-mlp", "c", 1));
            h.processElement(report("echo", "d", 1));
            h.processElement(new StreamRecord<>(new WorkerOutput(null, null))); // a result without a report
            assertThat(h.extractOutputValues()).as("held within the slice").hasSize(1);

            h.setProcessingTime(1_000 + SlicedReports.SLICE_MS);
            assertThat(h.extractOutputValues()).extracting(WorkerReport::function, WorkerReport::invocationId,
                            WorkerReport::completed)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("echo", "a", 1),
                            org.assertj.core.groups.Tuple.tuple("echo", "d", 3),
                            org.assertj.core.groups.Tuple.tuple("tiny-mlp", "c", 1));

            // After a quiet slice the next one leaves at once again.
            h.setProcessingTime(1_000 + 3 * SlicedReports.SLICE_MS);
            h.processElement(report("echo", "e", 1));
            assertThat(h.extractOutputValues()).extracting(WorkerReport::invocationId).endsWith("e");
        }
    }

    @Test
    void aCheckpointNeverHoldsReportsBack() throws Exception {
        try (var h = harness()) {
            h.processElement(report("echo", "a", 1));
            h.processElement(report("echo", "b", 1));
            h.prepareSnapshotPreBarrier(1);
            assertThat(h.extractOutputValues()).extracting(WorkerReport::invocationId).containsExactly("a", "b");
        }
    }

    /** Property: whatever the timing, every invocation a report ended is ended by exactly one report sent. */
    @Test
    void everyCompletionLeavesOnceInAnyTiming() throws Exception {
        for (long seed = 0; seed < 50; seed++) {
            Random random = new Random(seed);
            int sent = 0;
            long now = 1_000;
            try (var h = harness()) {
                int n = 1 + random.nextInt(200);
                for (int i = 0; i < n; i++) {
                    now += random.nextInt(4) == 0 ? random.nextInt(5) : 0;
                    h.setProcessingTime(now);
                    int completed = 1 + random.nextInt(4);
                    sent += completed;
                    h.processElement(report(random.nextBoolean() ? "echo" : "tiny-mlp", "i" + i, completed));
                }
                h.setProcessingTime(now + SlicedReports.SLICE_MS);
                List<WorkerReport> out = new ArrayList<>(h.extractOutputValues());
                assertThat(out.stream().mapToInt(WorkerReport::completed).sum()).as("seed %d", seed).isEqualTo(sent);
                assertThat(out.size()).as("seed %d: never more reports than came in", seed).isLessThanOrEqualTo(n);
            }
        }
    }
}
