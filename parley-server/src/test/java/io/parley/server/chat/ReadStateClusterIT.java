package io.parley.server.chat;

import java.util.Map;

import io.parley.server.support.ParleyNode;
import io.parley.server.support.TwoNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The read-state suite on two cluster nodes (real Redis and PostgreSQL): everything crosses nodes. */
class ReadStateClusterIT extends ReadStateSuite {

    static TwoNodes nodes;

    @BeforeAll
    static void start() {
        nodes = TwoNodes.start(Map.of());
    }

    @AfterAll
    static void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Override
    ParleyNode first() {
        return nodes.a();
    }

    @Override
    ParleyNode second() {
        return nodes.b();
    }
}
