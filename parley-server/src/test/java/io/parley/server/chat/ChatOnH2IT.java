package io.parley.server.chat;

import java.nio.file.Path;
import java.util.Map;

import io.parley.server.support.ParleyNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The chat suite on a standalone node: embedded H2. */
class ChatOnH2IT extends ChatSuite {

    @TempDir
    static Path dataDir;

    @BeforeAll
    static void start() {
        node = ParleyNode.start(Map.of(
                "parley.data-dir", dataDir.toString(),
                "parley.websocket.frames-per-second", "100000",
                "parley.websocket.frame-burst", "100000"));
    }
}
