package io.parley.server.chat;

import java.util.Map;

import io.parley.server.support.ClusterServices;
import io.parley.server.support.ParleyNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The chat suite with the message store on the real PostgreSQL (a database of its own). */
class ChatOnPostgresIT extends ChatSuite {

    static ClusterServices services;

    @BeforeAll
    static void start() {
        services = new ClusterServices();
        node = ParleyNode.start(Map.of(
                "spring.datasource.url", services.jdbcUrl(),
                "spring.datasource.username", "postgres",
                "parley.websocket.frames-per-second", "100000",
                "parley.websocket.frame-burst", "100000"));
    }

    @AfterAll
    static void stopServices() {
        stopNode();
        node = null;
        services.close();
    }
}
