package io.parley.server.connection;

import java.io.IOException;
import java.time.Duration;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.websocket.SendResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class StandardFrameSinkTests {

    private final OutboundQueues node = new OutboundQueues(OutboundProperties.defaults(), new SimpleMeterRegistry());
    private final NativeSessionFake fake = new NativeSessionFake();

    @AfterEach
    void close() {
        node.close();
    }

    @Test
    void writesThroughTheAsyncRemoteAndWritesTheNextFrameWhenTheSendHandlerIsCalled() {
        OutboundQueue queue = node.open(fake.springSession());

        queue.enqueue(Outgoing.control("one"));
        queue.enqueue(Outgoing.control("two"));

        assertThat(fake.asyncSends()).extracting(NativeSessionFake.Send::text).containsExactly("one");
        fake.asyncSends().get(0).handler().onResult(new SendResult(fake.session));
        assertThat(fake.asyncSends()).extracting(NativeSessionFake.Send::text).containsExactly("one", "two");
        assertThat(fake.blockingSends()).isEmpty();
    }

    @Test
    void findsTheNativeSessionBehindSpringsDecorators() {
        OutboundQueue queue = node.open(new ConcurrentWebSocketSessionDecorator(fake.springSession(), 1000, 1000));

        queue.enqueue(Outgoing.control("one"));

        assertThat(fake.asyncSends()).hasSize(1);
    }

    @Test
    void aFailedSendClosesTheSocketWithServerErrorOffTheCallersThread() {
        OutboundQueue queue = node.open(fake.springSession());
        queue.enqueue(Outgoing.control("one"));

        fake.asyncSends().get(0).handler().onResult(new SendResult(fake.session, new IOException("Broken pipe")));

        await().atMost(Duration.ofSeconds(5)).until(() -> !fake.closes().isEmpty());
        assertThat(fake.closes().get(0).getCloseCode().getCode()).isEqualTo(1011);
        assertThat(fake.closingThreads().get(0)).startsWith("parley-outbound-close");
        assertThat(queue.isOpen()).isFalse();
    }

    @Test
    void aSendRefusedByTheContainerIsAFailedWrite() {
        fake.failSendsWith(new IllegalStateException("The WebSocket session has been closed"));
        OutboundQueue queue = node.open(fake.springSession());

        queue.enqueue(Outgoing.control("one"));

        assertThat(queue.isOpen()).isFalse();
        assertThat(node.stats().terminated(TerminationReason.WRITE_ERROR)).isEqualTo(1);
    }

    @Test
    void closesWithSessionNotReliableThroughTheSpringSession() {
        OutboundQueue queue = node.open(fake.springSession());

        queue.close(CloseStatus.SESSION_NOT_RELIABLE);

        await().atMost(Duration.ofSeconds(5)).until(() -> !fake.closes().isEmpty());
        assertThat(fake.closes().get(0).getCloseCode().getCode()).isEqualTo(4500);
    }

    @Test
    void boundsTheContainersBlockingSendSoThatAPeersCloseIsReportedAtOnce() {
        NativeSessionFake fake = new NativeSessionFake();

        StandardFrameSink.of(fake.springSession(), Runnable::run);

        assertThat(fake.userProperties).containsEntry(StandardFrameSink.BLOCKING_SEND_TIMEOUT_PROPERTY,
                StandardFrameSink.CLOSE_SEND_TIMEOUT_MILLIS);
    }
}
