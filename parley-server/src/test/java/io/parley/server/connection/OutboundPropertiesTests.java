package io.parley.server.connection;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class OutboundPropertiesTests {

    private static OutboundProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("parley.outbound", OutboundProperties.class);
    }

    @Test
    void defaultsAreSpringsLimitsWithResyncAndA256MegabyteBudget() {
        OutboundProperties properties = bind(Map.of());

        assertThat(properties.sendTimeLimit()).isEqualTo(Duration.ofSeconds(10));
        assertThat(properties.bufferLimit().toBytes()).isEqualTo(512 * 1024);
        assertThat(properties.overflow()).isEqualTo(OverflowStrategy.RESYNC);
        assertThat(properties.nodeBudget().toBytes()).isEqualTo(256L * 1024 * 1024);
        assertThat(properties).isEqualTo(OutboundProperties.defaults());
    }

    @Test
    void bindsTypedValues() {
        OutboundProperties properties = bind(Map.of("parley.outbound.send-time-limit", "2s",
                "parley.outbound.buffer-limit", "64KB", "parley.outbound.overflow", "terminate",
                "parley.outbound.node-budget", "1GB"));

        assertThat(properties).isEqualTo(new OutboundProperties(Duration.ofSeconds(2), DataSize.ofKilobytes(64),
                OverflowStrategy.TERMINATE, DataSize.ofGigabytes(1)));
    }

    @Test
    void rejectsNonsense() {
        DataSize kb = DataSize.ofKilobytes(1);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new OutboundProperties(Duration.ZERO, kb, OverflowStrategy.DROP, kb))
                .withMessageContaining("send-time-limit");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new OutboundProperties(Duration.ofSeconds(-1), kb, OverflowStrategy.DROP, kb));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new OutboundProperties(Duration.ofSeconds(1), DataSize.ofBytes(0), OverflowStrategy.DROP, kb))
                .withMessageContaining("buffer-limit");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new OutboundProperties(Duration.ofSeconds(1), DataSize.ofMegabytes(1),
                        OverflowStrategy.DROP, kb))
                .withMessageContaining("node-budget");
    }

    @Test
    void theWatchdogChecksTenTimesPerLimitBetween10MillisecondsAndOneSecond() {
        DataSize kb = DataSize.ofKilobytes(1);
        assertThat(OutboundProperties.defaults().checkInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(new OutboundProperties(Duration.ofSeconds(2), kb, OverflowStrategy.DROP, kb).checkInterval())
                .isEqualTo(Duration.ofMillis(200));
        assertThat(new OutboundProperties(Duration.ofMillis(50), kb, OverflowStrategy.DROP, kb).checkInterval())
                .isEqualTo(Duration.ofMillis(10));
        assertThat(new OutboundProperties(Duration.ofMinutes(5), kb, OverflowStrategy.DROP, kb).checkInterval())
                .isEqualTo(Duration.ofSeconds(1));
    }
}
