package io.parley.server.cluster.local;

import java.util.ArrayList;
import java.util.List;

import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.BusListener;
import io.parley.server.cluster.NodeEvent;
import io.parley.server.cluster.NodeIdentity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalBusTests {

    private final LocalBus bus = new LocalBus(new NodeIdentity("n1"));
    private final List<String> received = new ArrayList<>();

    LocalBusTests() {
        bus.listen((BusListener) (room, event) -> received.add(room + " " + event.getClass().getSimpleName()));
        bus.listen(event -> received.add("node " + event));
    }

    @Test
    void roomEventsReachTheListenerOnlyWhileSubscribed() {
        bus.publish("r", new ServerFrame.Typing("r", "alice"));
        bus.subscribe("r");
        bus.publish("r", new ServerFrame.Typing("r", "alice"));
        bus.unsubscribe("r");
        bus.publish("r", new ServerFrame.Typing("r", "alice"));

        assertThat(received).containsExactly("r Typing");
    }

    @Test
    void nodeEventsReachThisNodeOnlyWhenAddressedToIt() {
        bus.send("n2", new NodeEvent.SessionEnded("alice", "s1"));
        bus.send("n1", new NodeEvent.SessionEnded("alice", "s2"));

        assertThat(received).containsExactly("node SessionEnded[user=alice, httpSessionId=s2]");
    }
}
