package io.parley.server.connection;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BlockingFrameSinkTests {

    private final OutboundQueues node = new OutboundQueues(OutboundProperties.defaults(), new SimpleMeterRegistry());
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<CloseStatus> closes = new CopyOnWriteArrayList<>();

    /** A Spring session with no JSR-356 native session behind it. */
    private final WebSocketSession session = (WebSocketSession) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {WebSocketSession.class}, (proxy, method, args) -> switch (method.getName()) {
                case "sendMessage" -> {
                    sent.add(((TextMessage) args[0]).getPayload() + " on " + Thread.currentThread().getName());
                    yield null;
                }
                case "close" -> {
                    closes.add(args == null ? CloseStatus.NORMAL : (CloseStatus) args[0]);
                    yield null;
                }
                case "isOpen" -> closes.isEmpty();
                case "getId" -> "plain-1";
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> null;
            });

    @AfterEach
    void close() {
        node.close();
    }

    @Test
    void withoutANativeSessionFramesAreSentInOrderByABlockingSendOnTheSharedPool() {
        OutboundQueue queue = node.open(session);

        for (int i = 0; i < 20; i++) {
            queue.enqueue(Outgoing.control("frame-" + i));
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 20);
        for (int i = 0; i < 20; i++) {
            assertThat(sent.get(i)).startsWith("frame-" + i + " on parley-outbound-send");
        }
        queue.close(CloseStatus.NORMAL);
        await().atMost(Duration.ofSeconds(5)).until(() -> closes.equals(List.of(CloseStatus.NORMAL)));
    }
}
