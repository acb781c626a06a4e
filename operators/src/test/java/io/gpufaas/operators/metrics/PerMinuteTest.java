package io.gpufaas.operators.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PerMinuteTest {

    @Test
    void readsTheGrowthOfTheLastMinuteScaledWhileTheFirstMinuteFills() {
        AtomicLong count = new AtomicLong();
        PerMinute perMinute = new PerMinute(count::get);
        assertThat(perMinute.getValue()).isZero();
        perMinute.update();
        count.addAndGet(10);
        perMinute.update(); // 10 in 5 s: 120 a minute
        assertThat(perMinute.getValue()).isEqualTo(120.0);
        for (int i = 0; i < 11; i++) { // a full minute of 10 per 5 s
            count.addAndGet(10);
            perMinute.update();
        }
        assertThat(perMinute.getValue()).isEqualTo(120.0);
        for (int i = 0; i < 12; i++) { // a quiet minute: the old growth leaves the window
            perMinute.update();
        }
        assertThat(perMinute.getValue()).isZero();
    }
}
