package io.gpufaas.core.router.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ArrivalRatesTest {

    @Test
    void aSteadyRateReadsAsItselfOnceItHasLastedAFewTimeConstants() {
        ArrivalRates rates = new ArrivalRates(1_000);
        for (int t = 0; t <= 10_000; t += 20) {
            rates.arrived("m", t); // one every 20 ms: 0.05 per ms
        }
        assertThat(rates.perMs("m", 10_000)).isCloseTo(0.05, within(0.002));
        assertThat(rates.perMs("other", 10_000)).isZero();
    }

    @Test
    void aBurstShowsWithinATimeConstantAndFadesAsFastOnceItEnds() {
        ArrivalRates rates = new ArrivalRates(1_000);
        for (int t = 0; t < 1_000; t += 10) {
            rates.arrived("m", t); // 0.1 per ms for one time constant
        }
        assertThat(rates.perMs("m", 1_000)).as("1 - 1/e of the rate after one time constant").isBetween(0.06, 0.07);
        assertThat(rates.perMs("m", 4_000)).as("three time constants after it ended").isLessThan(0.004);
    }

    @Test
    void anArrivalOlderThanTheLastCountsDecayedByItsAge() {
        ArrivalRates inOrder = new ArrivalRates(1_000);
        inOrder.arrived("m", 0);
        inOrder.arrived("m", 500);
        ArrivalRates late = new ArrivalRates(1_000);
        late.arrived("m", 500);
        late.arrived("m", 0);
        assertThat(late.perMs("m", 800)).isCloseTo(inOrder.perMs("m", 800), within(1e-12));
    }

    @Test
    void forgetsEveryCountPastItsBoundOnModels() {
        ArrivalRates rates = new ArrivalRates(1_000);
        for (int i = 0; i < ArrivalRates.MAX_MODELS; i++) {
            rates.arrived("m" + i, 0);
        }
        assertThat(rates.perMs("m0", 0)).isPositive();
        rates.arrived("one more", 0);
        assertThat(rates.perMs("m0", 0)).isZero();
        assertThat(rates.perMs("one more", 0)).isPositive();
    }

    @Test
    void needsAPositiveFiniteTimeConstant() {
        assertThatThrownBy(() -> new ArrivalRates(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArrivalRates(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    }
}
