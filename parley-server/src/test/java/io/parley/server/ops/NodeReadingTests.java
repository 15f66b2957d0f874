package io.parley.server.ops;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NodeReadingTests {

    private static NodeReading reading(long at, long deliveries, long messages, long refused, long busEvents, double busLagMillis) {
        return new NodeReading(at, 12, 7, 100, 300, 20_000, 4096, deliveries, messages, 40, refused, busEvents, busLagMillis,
                1_000_000, 8_000_000);
    }

    @Test
    void ratesArePerSecondSinceThePreviousReading() {
        NodeReading previous = reading(10_000, 1_000, 100, 5, 50, 500.0);
        NodeStats stats = reading(12_000, 1_600, 130, 9, 60, 530.0).stats("node-1", 1_000, previous);

        assertThat(stats.node()).isEqualTo("node-1");
        assertThat(stats.at()).isEqualTo(12_000);
        assertThat(stats.startedAt()).isEqualTo(1_000);
        assertThat(stats.connections()).isEqualTo(12);
        assertThat(stats.users()).isEqualTo(7);
        assertThat(stats.deliveries()).isEqualTo(1_600);
        assertThat(stats.deliveriesPerSecond()).isCloseTo(300.0, within(1e-9));
        assertThat(stats.messagesPerSecond()).isCloseTo(15.0, within(1e-9));
        assertThat(stats.handshakesRefused()).isEqualTo(9);
        assertThat(stats.refusedPerSecond()).isCloseTo(2.0, within(1e-9));
        assertThat(stats.busLagMillis()).as("mean lag of the 10 events of the interval").isCloseTo(3.0, within(1e-9));
    }

    @Test
    void theFirstReadingHasNoRatesAndNoLag() {
        NodeStats stats = reading(12_000, 1_600, 130, 9, 60, 530.0).stats("node-1", 1_000, null);
        assertThat(stats.deliveriesPerSecond()).isZero();
        assertThat(stats.messagesPerSecond()).isZero();
        assertThat(stats.refusedPerSecond()).isZero();
        assertThat(stats.busLagMillis()).isEqualTo(-1);
    }

    @Test
    void anIntervalWithoutBusEventsHasNoLagAndNoTimePassedGivesNoRate() {
        NodeReading previous = reading(12_000, 1_000, 100, 5, 60, 530.0);
        NodeStats stats = reading(12_000, 1_600, 130, 9, 60, 530.0).stats("node-1", 1_000, previous);
        assertThat(stats.busLagMillis()).isEqualTo(-1);
        assertThat(stats.deliveriesPerSecond()).isZero();
    }
}
