package io.parley.server.chat;

import java.nio.file.Path;
import java.util.Map;

import io.parley.server.support.ParleyNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The read-state suite on one standalone node (embedded H2), its sockets on the same node. */
class ReadStateOnH2IT extends ReadStateSuite {

    @TempDir
    static Path dataDir;

    static ParleyNode node;

    @BeforeAll
    static void start() {
        node = ParleyNode.start(Map.of("parley.data-dir", dataDir.toString()));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Override
    ParleyNode first() {
        return node;
    }

    @Override
    ParleyNode second() {
        return node;
    }
}
