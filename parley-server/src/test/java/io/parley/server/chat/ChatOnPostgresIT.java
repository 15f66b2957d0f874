package io.parley.server.chat;

import java.util.HashMap;
import java.util.Map;

import io.parley.server.support.ClusterServices;
import io.parley.server.support.ParleyNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The chat suite on a node in cluster mode: PostgreSQL (a database of its own) and Redis (a key prefix of its own). */
class ChatOnPostgresIT extends ChatSuite {

    static ClusterServices services;

    @BeforeAll
    static void start() {
        services = new ClusterServices();
        Map<String, String> properties = new HashMap<>(services.nodeProperties());
        properties.put("parley.websocket.frames-per-second", "100000");
        properties.put("parley.websocket.frame-burst", "100000");
        node = ParleyNode.start(properties);
    }

    @AfterAll
    static void stopServices() {
        stopNode();
        node = null;
        services.close();
    }
}
