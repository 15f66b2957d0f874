package io.parley.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class IdleCapacityTests {

    @Test
    void connectionsAreSharedAsEquallyAsIntegersAllow() {
        assertThat(IdleCapacity.shares(100_000, 6)).containsExactly(16_666, 16_667, 16_667, 16_666, 16_667, 16_667);
        assertThat(IdleCapacity.shares(900, 3)).containsExactly(300, 300, 300);
        assertThat(IdleCapacity.shares(2, 3)).containsExactly(0, 1, 1);
        assertThat(IdleCapacity.shares(100_000, 6).stream().mapToInt(Integer::intValue).sum()).isEqualTo(100_000);
    }

    @Test
    void clusterNodesGetTheConnectionHeavyFlagsAHeapForTheirShareAndAConnectionLimitAboveIt() {
        Target.NodeSettings settings = IdleCapacity.nodeSettings(100_000, 6, 20_000);

        assertThat(settings.jvmOptions()).isEqualTo("-Xmx1088m " + IdleCapacity.CONNECTION_HEAVY_JVM);
        assertThat(settings.properties()).containsExactlyEntriesOf(java.util.Map.of("parley.connections.max", "17000"));
        assertThat(IdleCapacity.nodeSettings(900, 3, 20_000).jvmOptions()).startsWith("-Xmx320m ");
    }

    @Test
    void aShareBeyondWhatANodesDescriptorsAdmitIsRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> IdleCapacity.nodeSettings(100_000, 5, 20_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use more --nodes");
        assertThat(List.of(IdleCapacity.nodeSettings(17_000, 1, 20_000).properties().get("parley.connections.max"))).containsExactly("17340");
    }
}
