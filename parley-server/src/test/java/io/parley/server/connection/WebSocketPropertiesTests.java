package io.parley.server.connection;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class WebSocketPropertiesTests {

    private static WebSocketProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("parley.websocket", WebSocketProperties.class);
    }

    @Test
    void pingsEvery25SecondsAwaitAnAnswerFor10AndAFirstFrameFor2MinutesByDefault() {
        WebSocketProperties defaults = bind(Map.of());

        assertThat(defaults.pingInterval()).isEqualTo(Duration.ofSeconds(25));
        assertThat(defaults.pongTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.firstFrameTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(defaults.pingsOn()).isTrue();
        assertThat(defaults.firstFrameTimeoutOn()).isTrue();
    }

    @Test
    void zeroTurnsPingsAndTheFirstFrameTimeoutOff() {
        WebSocketProperties off = bind(Map.of("parley.websocket.ping-interval", "0", "parley.websocket.first-frame-timeout", "0",
                "parley.websocket.pong-timeout", "1h"));

        assertThat(off.pingsOn()).isFalse();
        assertThat(off.firstFrameTimeoutOn()).isFalse();
    }

    @Test
    void refusesAPongTimeoutLongerThanThePingIntervalNamingTheProperty() {
        assertThatExceptionOfType(BindException.class)
                .isThrownBy(() -> bind(Map.of("parley.websocket.ping-interval", "5s", "parley.websocket.pong-timeout", "6s")))
                .havingRootCause().withMessageContaining("parley.websocket.pong-timeout");
    }

    @Test
    void refusesNegativeOrTinyDurations() {
        assertThatExceptionOfType(BindException.class)
                .isThrownBy(() -> bind(Map.of("parley.websocket.first-frame-timeout", "-1s")))
                .havingRootCause().withMessageContaining("first-frame-timeout");
        assertThatExceptionOfType(BindException.class)
                .isThrownBy(() -> bind(Map.of("parley.websocket.ping-interval", "10ms", "parley.websocket.pong-timeout", "10ms")))
                .havingRootCause().withMessageContaining("parley.websocket.");
    }
}
