package io.parley.server.history;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistoryPropertiesTests {

    private static HistoryProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("parley.history",
                HistoryProperties.class);
    }

    @Test
    void anEmptyEnvironmentBindsTheDocumentedDefaults() {
        HistoryProperties bound = bind(Map.of());

        assertThat(bound).isEqualTo(HistoryProperties.defaults());
        assertThat(bound.committers()).isEqualTo(2);
        assertThat(bound.queueCapacity()).isEqualTo(10_000);
        assertThat(bound.maxBatchSize()).isEqualTo(256);
        assertThat(bound.maxBatchDelay()).isEqualTo(Duration.ofMillis(1));
        assertThat(bound.transactionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(bound.maxPageSize()).isEqualTo(1000);
    }

    @Test
    void kebabCaseNamesAndUnitsBind() {
        HistoryProperties bound = bind(Map.of("parley.history.committers", "4", "parley.history.queue-capacity", "50",
                "parley.history.max-batch-size", "64", "parley.history.max-batch-delay", "2ms",
                "parley.history.transaction-timeout", "3s", "parley.history.max-page-size", "200"));

        assertThat(bound).isEqualTo(new HistoryProperties(4, 50, 64, Duration.ofMillis(2), Duration.ofSeconds(3), 200));
    }

    @Test
    void aBatchSizeAboveTheLimitStopsTheBinding() {
        assertThatThrownBy(() -> bind(Map.of("parley.history.max-batch-size", "5000")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("max-batch-size must be 1..1000");
    }

    @Test
    void invalidLimitsAreRejectedAtConstruction() {
        Duration ms = Duration.ofMillis(1);
        Duration s = Duration.ofSeconds(10);
        assertThatIllegalArgumentException().isThrownBy(() -> new HistoryProperties(0, 10, 10, ms, s, 10));
        assertThatIllegalArgumentException().isThrownBy(() -> new HistoryProperties(1, 0, 10, ms, s, 10));
        assertThatIllegalArgumentException().isThrownBy(() -> new HistoryProperties(1, 10, 0, ms, s, 10));
        assertThatIllegalArgumentException().isThrownBy(() -> new HistoryProperties(1, 10, 10, Duration.ofMillis(-1), s, 10));
        assertThatIllegalArgumentException().isThrownBy(() -> new HistoryProperties(1, 10, 10, Duration.ofSeconds(2), s, 10));
        assertThatIllegalArgumentException().isThrownBy(() -> new HistoryProperties(1, 10, 10, ms, Duration.ofMillis(500), 10));
        assertThatIllegalArgumentException().isThrownBy(() -> new HistoryProperties(1, 10, 10, ms, s, 0));
    }
}
