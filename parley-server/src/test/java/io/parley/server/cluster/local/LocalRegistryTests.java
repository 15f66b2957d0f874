package io.parley.server.cluster.local;

import io.parley.server.cluster.NodeIdentity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalRegistryTests {

    @Test
    void aUserIsOnThisNodeFromTheFirstConnectionUntilTheLastCloses() {
        LocalRegistry registry = new LocalRegistry(new NodeIdentity("n1"));
        assertThat(registry.nodesOf("alice")).isEmpty();
        registry.connected("alice");
        registry.connected("alice");
        registry.disconnected("alice");
        assertThat(registry.nodesOf("alice")).containsExactly("n1");
        registry.disconnected("alice");
        assertThat(registry.nodesOf("alice")).isEmpty();
    }
}
