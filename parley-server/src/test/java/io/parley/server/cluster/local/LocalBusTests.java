package io.parley.server.cluster.local;

import java.util.ArrayList;
import java.util.List;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.BusListener;
import io.parley.server.cluster.NodeEvent;
import io.parley.server.cluster.NodeIdentity;
import io.parley.server.cluster.RoomEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalBusTests {

    private final LocalBus bus = new LocalBus(new NodeIdentity("n1"), new FrameCodec());
    private final List<String> received = new ArrayList<>();

    LocalBusTests() {
        bus.listen((BusListener) (room, event, json) -> received.add(room + " " + event + " " + json));
        bus.listen(event -> received.add("node " + event));
    }

    @Test
    void roomEventsReachTheListenerOnlyWhileSubscribed() {
        bus.publish("r", new ServerFrame.Typing("r", "alice"));
        bus.subscribe("r");
        bus.publish("r", new ServerFrame.Typing("r", "alice"));
        bus.unsubscribe("r");
        bus.publish("r", new ServerFrame.Typing("r", "alice"));

        assertThat(received).containsExactly("r " + RoomEvent.typing("alice") + " {\"type\":\"typing\",\"room\":\"r\",\"user\":\"alice\"}");
    }

    @Test
    void nodeEventsReachThisNodeOnlyWhenAddressedToIt() {
        bus.send("n2", new NodeEvent.SessionEnded("alice", "s1"));
        bus.send("n1", new NodeEvent.SessionEnded("alice", "s2"));

        assertThat(received).containsExactly("node SessionEnded[user=alice, httpSessionId=s2]");
    }

    @Test
    void everyNodeListenerGetsEveryNodeEvent() {
        List<NodeEvent> second = new ArrayList<>();
        bus.listen(second::add);
        NodeEvent frame = new NodeEvent.UserFrame("alice", "{\"type\":\"read\",\"room\":\"r\",\"seq\":3}", "c1");
        bus.send("n1", frame);

        assertThat(received).containsExactly("node " + frame);
        assertThat(second).containsExactly(frame);
    }
}
