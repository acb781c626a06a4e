package io.gpufaas.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerReportTest {

    @Test
    void mergedReportsEndBothBatchesWithTheLaterViewAndTheLongerTimes() {
        WorkerReport first = new WorkerReport(1, "echo", "a", 30, 4, 100, List.of("echo", "old"), true, 1_000, 10, 3, 2.0);
        WorkerReport later = new WorkerReport(1, "echo", "b", 0, 2, 0, List.of("echo"), true, 1_000, 12, 2, 0.5);
        WorkerReport merged = first.mergedWith(later);
        assertThat(merged.completed()).isEqualTo(5);
        assertThat(merged.invocationId()).isEqualTo("b");
        assertThat(merged.resident()).containsExactly("echo");
        assertThat(merged.atMs()).isEqualTo(12);
        assertThat(merged.backlogMs()).isEqualTo(0.5);
        assertThat(merged.loadMs()).as("the load one of them paid").isEqualTo(30);
        assertThat(merged.execMs()).as("a batch's time, not the sum").isEqualTo(4);
        assertThat(merged.bytes()).as("the footprint the earlier one measured").isEqualTo(100);
    }

    @Test
    void onlyOneWorkersReportsOnOneModelMerge() {
        WorkerReport r = new WorkerReport(1, "echo", "a", 0, 1, 0, List.of(), 1_000, 10);
        assertThatThrownBy(() -> r.mergedWith(new WorkerReport(2, "echo", "b", 0, 1, 0, List.of(), 1_000, 11)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.mergedWith(new WorkerReport(1, "tiny-mlp", "b", 0, 1, 0, List.of(), 1_000, 11)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
