package io.gpufaas.job.feedback;

import io.gpufaas.core.contract.WorkerOutput;
import io.gpufaas.core.contract.WorkerReport;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * A worker's reports, at most one per model per time slice. A fast worker (echo, small inputs)
 * ends its batches one invocation at a time when its queue is short, so one report per batch was
 * one report per invocation: a record to write, fetch and apply for each. Here the first report
 * after a quiet slice goes out at once (a lone invocation's credit returns without delay); reports
 * that follow within {@link #SLICE_MS} wait for the slice's end and leave merged, one per model
 * ({@link WorkerReport#mergedWith}), freeing all their invocations' slots together.
 *
 * <p>A worker with long runs (a GPU) seldom ends two batches within a slice, so its reports are
 * unchanged. Reports are not state: the ones waiting leave before every checkpoint barrier and
 * when the task finishes, so a checkpoint never holds a worker's credits back.
 */
final class SlicedReports extends AbstractStreamOperator<WorkerReport>
        implements OneInputStreamOperator<WorkerOutput, WorkerReport>, ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;

    /**
     * How long reports gather after one went out: less than the report round trip measured here
     * (3.6-5.5 ms on 2 cores), so credits come back at most that much later, and short next to
     * the runs of a real model.
     */
    static final long SLICE_MS = 2;

    private transient Map<String, WorkerReport> waiting;
    private transient long lastSentMs;
    private transient boolean timerSet;

    @Override
    public void open() throws Exception {
        super.open();
        waiting = new LinkedHashMap<>();
        lastSentMs = Long.MIN_VALUE / 2;
    }

    @Override
    public void processElement(StreamRecord<WorkerOutput> element) {
        WorkerReport report = element.getValue().report();
        if (report == null) {
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (waiting.isEmpty() && now - lastSentMs >= SLICE_MS) {
            output.collect(new StreamRecord<>(report));
            lastSentMs = now;
            return;
        }
        waiting.merge(report.function(), report, WorkerReport::mergedWith);
        if (!timerSet) {
            timerSet = true;
            getProcessingTimeService().registerTimer(Math.max(now, lastSentMs + SLICE_MS), this);
        }
    }

    @Override
    public void onProcessingTime(long time) {
        timerSet = false;
        sendWaiting();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        sendWaiting();
    }

    @Override
    public void finish() throws Exception {
        sendWaiting();
        super.finish();
    }

    private void sendWaiting() {
        if (waiting.isEmpty()) {
            return;
        }
        waiting.values().forEach(r -> output.collect(new StreamRecord<>(r)));
        waiting.clear();
        lastSentMs = getProcessingTimeService().getCurrentProcessingTime();
    }
}
