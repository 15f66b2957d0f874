package io.parley.server.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class DrainPropertiesTests {

    private static DrainProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("parley.drain", DrainProperties.class);
    }

    @Test
    void defaultsToTwentyBatchesOverTenSecondsWithFiveSecondsOfGrace() {
        DrainProperties defaults = bind(Map.of());
        assertThat(defaults.window()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.batches()).isEqualTo(20);
        assertThat(defaults.grace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.bound()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void batchKOfNClosesAtKOverNOfTheWindowTheLastOneAtItsEnd() {
        DrainProperties properties = bind(Map.of());
        assertThat(properties.batchAt(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(properties.batchAt(10)).isEqualTo(Duration.ofSeconds(5));
        assertThat(properties.batchAt(20)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void batchesTakeEvenSharesOfWhatIsLeftAndTheLastTakesEverything() {
        DrainProperties properties = new DrainProperties(Duration.ofSeconds(10), 20, Duration.ofSeconds(5));
        List<Integer> sizes = new ArrayList<>();
        int remaining = 1000;
        for (int k = 1; k <= 20; k++) {
            int size = properties.batchSize(k, remaining);
            sizes.add(size);
            remaining -= size;
        }
        assertThat(remaining).isZero();
        assertThat(sizes).containsOnly(50);

        assertThat(properties.batchSize(20, 7)).as("the last batch closes whatever opened late").isEqualTo(7);
        assertThat(properties.batchSize(1, 3)).as("fewer connections than batches").isEqualTo(1);
    }

    @Test
    void refusesBatchesOutsideOneToAThousandNamingTheProperty() {
        assertThatExceptionOfType(BindException.class)
                .isThrownBy(() -> bind(Map.of("parley.drain.batches", "0")))
                .havingRootCause().withMessageContaining("parley.drain.batches");
    }

    @Test
    void refusesANegativeWindowNamingTheProperty() {
        assertThatExceptionOfType(BindException.class)
                .isThrownBy(() -> bind(Map.of("parley.drain.window", "-1s")))
                .havingRootCause().withMessageContaining("parley.drain.window");
    }
}
