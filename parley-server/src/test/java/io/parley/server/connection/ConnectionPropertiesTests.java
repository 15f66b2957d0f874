package io.parley.server.connection;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ConnectionPropertiesTests {

    private static ConnectionProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("parley.connections", ConnectionProperties.class);
    }

    @Test
    void theSocketSendBufferIsLeftToTheKernelByDefault() {
        assertThat(bind(Map.of()).socketSendBuffer()).isNull();
    }

    @Test
    void bindsTheSocketSendBufferAsADataSize() {
        assertThat(bind(Map.of("parley.connections.socket-send-buffer", "64KB")).socketSendBuffer())
                .isEqualTo(DataSize.ofKilobytes(64));
    }

    @Test
    void refusesASendBufferBelowOneKilobyteNamingTheProperty() {
        assertThatExceptionOfType(BindException.class)
                .isThrownBy(() -> bind(Map.of("parley.connections.socket-send-buffer", "512B")))
                .havingRootCause().withMessageContaining("parley.connections.socket-send-buffer");
    }

    @Test
    void handshakesAreNotRateLimitedByDefaultAndTheRateBindsWithItsBurst() {
        assertThat(bind(Map.of()).handshakeRate()).isZero();
        ConnectionProperties limited = bind(Map.of("parley.connections.handshake-rate", "250",
                "parley.connections.handshake-burst", "50"));
        assertThat(limited.handshakeRate()).isEqualTo(250);
        assertThat(limited.handshakeBurst()).isEqualTo(50);
    }

    @Test
    void refusesANegativeHandshakeRateNamingTheProperty() {
        assertThatExceptionOfType(BindException.class)
                .isThrownBy(() -> bind(Map.of("parley.connections.handshake-rate", "-1")))
                .havingRootCause().withMessageContaining("parley.connections.handshake-rate");
    }
}
