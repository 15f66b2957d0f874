package io.parley.server.cluster;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

class ClusterPropertiesTests {

    private static ClusterProperties of(long heartbeatMs, long ttlMs, long checkMs, long reorderMs) {
        return new ClusterProperties(Duration.ofMillis(heartbeatMs), Duration.ofMillis(ttlMs), Duration.ofMillis(checkMs),
                Duration.ofMillis(reorderMs), Duration.ofSeconds(2));
    }

    @Test
    void defaultsAreValid() {
        assertThatNoException().isThrownBy(() -> of(2000, 6000, 5000, 50));
    }

    @Test
    void aNodeTtlNotLongerThanTheHeartbeatIntervalIsRefusedWithThePropertyNames() {
        assertThatIllegalArgumentException().isThrownBy(() -> of(2000, 2000, 5000, 50))
                .withMessageContaining("parley.cluster.node-ttl").withMessageContaining("heartbeat-interval");
    }

    @Test
    void aReorderWindowLongerThanTheRoomCheckOrNegativeIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> of(2000, 6000, 1000, 2000)).withMessageContaining("reorder-window");
        assertThatIllegalArgumentException().isThrownBy(() -> of(2000, 6000, 1000, -1)).withMessageContaining("reorder-window");
    }

    @Test
    void intervalsBelowTenMillisecondsAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> of(5, 6000, 5000, 0)).withMessageContaining("heartbeat-interval");
    }
}
