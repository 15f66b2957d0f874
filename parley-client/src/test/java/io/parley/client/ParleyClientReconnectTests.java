package io.parley.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ServerFrame;
import org.junit.jupiter.api.Test;

import static io.parley.client.TestMessages.message;
import static io.parley.client.TestMessages.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static io.parley.client.TestMessages.eventually;

/** Reconnect, resume, de-duplication across connections, resend of un-acknowledged sends, backoff. */
class ParleyClientReconnectTests {

    @Test
    void messagesAreDeliveredOnceAndInOrderAcrossAReconnect() {
        try (ClientFixture fixture = new ClientFixture()) {
            FakeTransport.Connection first = fixture.connect("alice");
            fixture.client.join("general");
            first.awaitSent(1);
            first.push(new ServerFrame.Joined("general", 0), message("general", 1), message("general", 2), message("general", 3));

            first.serverClose(CloseCodes.SERVICE_RESTART);
            FakeTransport.Connection second = fixture.transport.attempt(1).accept("alice");

            assertThat(second.awaitSent(1)).containsExactly(new ClientFrame.Join("general", 3L));
            // The replay overlaps what was delivered (as when a node is slow to notice): duplicates are dropped.
            second.push(message("general", 2), new ServerFrame.Joined("general", 5), message("general", 3),
                    message("general", 4), message("general", 5), message("general", 4));

            assertThat(fixture.delivered("general")).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(fixture.client.lastSeq("general")).isEqualTo(5);
            fixture.awaitState(ConnectionState.RESUMED);
            assertThat(fixture.states).extracting(StateChange::state).containsExactly(ConnectionState.CONNECTING,
                    ConnectionState.CONNECTED, ConnectionState.RECONNECTING, ConnectionState.RESUMED);
            assertThat(fixture.states.get(2).closeCode()).isEqualTo(CloseCodes.SERVICE_RESTART);
        }
    }

    @Test
    void unacknowledgedSendsAreResentWithTheirOriginalClientMsgIdAfterTheRoomsAreRejoined() {
        try (ClientFixture fixture = new ClientFixture()) {
            FakeTransport.Connection first = fixture.connect("alice");
            fixture.client.join("general");
            first.awaitSent(1);
            first.push(new ServerFrame.Joined("general", 0));
            CompletableFuture<Long> hello = fixture.client.send("general", "hello");
            CompletableFuture<Long> world = fixture.client.send("general", "world");
            List<ClientFrame> sentFirst = first.awaitSent(3);
            ClientFrame.Send helloFrame = (ClientFrame.Send) sentFirst.get(1);
            ClientFrame.Send worldFrame = (ClientFrame.Send) sentFirst.get(2);
            first.push(new ServerFrame.Sent("general", helloFrame.clientMsgId(), 1));

            fixture.client.abort();
            FakeTransport.Connection second = fixture.transport.attempt(1).accept("alice");
            CompletableFuture<Long> during = fixture.client.send("general", "while resuming");

            assertThat(second.awaitSent(1)).as("nothing but the re-join before it is answered")
                    .containsExactly(new ClientFrame.Join("general", 0L));
            second.push(new ServerFrame.Joined("general", 1));
            List<ClientFrame> sentSecond = second.awaitSent(3);
            assertThat(sentSecond.get(1)).isEqualTo(worldFrame);
            assertThat(((ClientFrame.Send) sentSecond.get(2)).text()).isEqualTo("while resuming");

            second.push(new ServerFrame.Sent("general", worldFrame.clientMsgId(), 2));
            assertThat(hello).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(1L);
            assertThat(world).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(2L);
            assertThat(during).isNotDone();
            assertThat(first.aborted).isTrue();
        }
    }

    @Test
    void aSendRefusedByADrainingNodeStaysPendingAndIsResentWithItsClientMsgIdAfterThe1012() {
        try (ClientFixture fixture = new ClientFixture()) {
            FakeTransport.Connection first = fixture.connect("alice");
            fixture.client.join("general");
            first.awaitSent(1);
            first.push(new ServerFrame.Joined("general", 0));
            CompletableFuture<Long> hello = fixture.client.send("general", "hello");
            ClientFrame.Send frame = (ClientFrame.Send) first.awaitSent(2).get(1);

            first.push(new ServerFrame.Error(ErrorCode.UNAVAILABLE, "this node is shutting down", frame.clientMsgId().toString()));
            first.serverClose(CloseCodes.SERVICE_RESTART);

            FakeTransport.Connection second = fixture.transport.attempt(1).accept("alice");
            // The error and the close were handled, in order, before this second attempt was made.
            assertThat(hello).as("refused by the draining node, not failed").isNotDone();
            assertThat(second.awaitSent(1)).containsExactly(new ClientFrame.Join("general", 0L));
            second.push(new ServerFrame.Joined("general", 0));
            assertThat(second.awaitSent(2).get(1)).isEqualTo(frame);
            second.push(new ServerFrame.Sent("general", frame.clientMsgId(), 1));
            assertThat(hello).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(1L);
        }
    }

    @Test
    void aReplayedEchoOfAnUnacknowledgedSendAcknowledgesItWithoutAResend() {
        try (ClientFixture fixture = new ClientFixture()) {
            FakeTransport.Connection first = fixture.connect("alice");
            fixture.client.join("general");
            first.awaitSent(1);
            first.push(new ServerFrame.Joined("general", 0));
            CompletableFuture<Long> hello = fixture.client.send("general", "hello");
            ClientFrame.Send frame = (ClientFrame.Send) first.awaitSent(2).get(1);

            first.serverClose(CloseCodes.GOING_AWAY); // committed, but the ack was lost with the node
            FakeTransport.Connection second = fixture.transport.attempt(1).accept("alice");
            second.awaitSent(1);
            second.push(new ServerFrame.Message("general", 1, "alice", "hello", java.time.Instant.EPOCH, frame.clientMsgId()),
                    new ServerFrame.Joined("general", 1));

            assertThat(hello).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(1L);
            fixture.awaitState(ConnectionState.RESUMED);
            assertThat(second.sent()).containsExactly(new ClientFrame.Join("general", 0L));
        }
    }

    @Test
    void leavesAndHistoryRequestsLeftUnansweredAreSentAgainAndPingsFail() {
        try (ClientFixture fixture = new ClientFixture()) {
            FakeTransport.Connection first = fixture.connect("alice");
            CompletableFuture<Void> left = fixture.client.leave("random");
            CompletableFuture<List<ServerFrame.Message>> page = fixture.client.history("general", null, 10);
            CompletableFuture<Duration> pong = fixture.client.ping();
            first.awaitSent(3);

            fixture.client.abort();

            assertThat(pong).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingCause()
                    .isInstanceOf(ConnectionLostException.class);
            FakeTransport.Connection second = fixture.transport.attempt(1).accept("alice");
            assertThat(second.awaitSent(2)).containsExactly(new ClientFrame.Leave("random"), new ClientFrame.History("general", null, 10));
            second.push(new ServerFrame.Left("random"), new ServerFrame.History("general", List.of()));
            assertThat(left).succeedsWithin(Duration.ofSeconds(5));
            assertThat(page).succeedsWithin(Duration.ofSeconds(5)).asList().isEmpty();
        }
    }

    @Test
    void heldMessagesAndGapFillsInFlightAreForgottenOnReconnectAndReplayed() {
        try (ClientFixture fixture = new ClientFixture()) {
            FakeTransport.Connection first = fixture.connect("alice");
            fixture.client.join("general");
            first.awaitSent(1);
            first.push(new ServerFrame.Joined("general", 0), message("general", 1), new ServerFrame.Gap("general", 2, 3),
                    message("general", 4));
            assertThat(first.awaitSent(2).get(1)).isEqualTo(new ClientFrame.History("general", 4L, 2));

            fixture.client.abort();
            FakeTransport.Connection second = fixture.transport.attempt(1).accept("alice");
            assertThat(second.awaitSent(1)).containsExactly(new ClientFrame.Join("general", 1L));
            second.push(new ServerFrame.Joined("general", 4));
            second.push(messages("general", 2, 4).toArray(ServerFrame[]::new));

            assertThat(fixture.delivered("general")).containsExactly(1L, 2L, 3L, 4L);
        }
    }

    @Test
    void aRefusedReconnectWithoutSessionClosesTheClient() {
        try (ClientFixture fixture = new ClientFixture()) {
            FakeTransport.Connection first = fixture.connect("alice");
            first.serverClose(CloseCodes.SERVER_ERROR);

            fixture.transport.attempt(1).refuse(401, null);

            fixture.awaitState(ConnectionState.CLOSED);
            assertThat(fixture.states).last().satisfies(change ->
                    assertThat(change.cause()).isInstanceOf(HandshakeRejectedException.class));
        }
    }

    @Test
    void aFullNodeIsRetriedAfterItsRetryAfterPlusJitter() {
        try (ClientFixture fixture = new ClientFixture()) {
            FakeTransport.Connection first = fixture.connect("alice");
            first.serverClose(CloseCodes.TRY_AGAIN_LATER);

            fixture.transport.attempt(1).refuse(503, Duration.ofSeconds(30));

            eventually().until(() -> fixture.states.size() == 4);
            StateChange retry = fixture.states.get(3);
            assertThat(retry.state()).isEqualTo(ConnectionState.RECONNECTING);
            assertThat(retry.retryIn()).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(30).plusMillis(10));
        }
    }

    @Test
    void failedAttemptsWidenTheBackoffWindowAndAStableConnectionResetsIt() {
        AtomicLong nanos = new AtomicLong();
        RandomGenerator top = () -> -1L; // nextDouble() just below 1: every delay at the top of its window
        try (ClientFixture fixture = new ClientFixture(builder -> builder.random(top).nanoTime(nanos::get)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(8)).stableAfter(Duration.ofSeconds(10)))) {
            FakeTransport.Connection first = fixture.connect("alice");
            first.serverClose(CloseCodes.SERVER_ERROR);
            for (int attempt = 1; attempt <= 5; attempt++) {
                fixture.transport.attempt(attempt).refuse(502, null);
            }
            FakeTransport.Connection stable = fixture.transport.attempt(6).accept("alice");
            fixture.awaitState(ConnectionState.RESUMED);
            nanos.addAndGet(Duration.ofSeconds(10).toNanos());
            stable.serverClose(CloseCodes.SERVER_ERROR);
            fixture.transport.attempt(7);

            List<Long> windowsMillis = fixture.states.stream()
                    .filter(change -> change.state() == ConnectionState.RECONNECTING)
                    .map(change -> Math.round(change.retryIn().toNanos() / 1e6))
                    .toList();
            assertThat(windowsMillis).containsExactly(1L, 2L, 4L, 8L, 8L, 8L, 1L);
        }
    }

    @Test
    void aSilentConnectionIsPingedThenDroppedAndReplaced() {
        AtomicLong nanos = new AtomicLong();
        try (ClientFixture fixture = new ClientFixture(builder -> builder.heartbeat(Duration.ofMillis(20)).nanoTime(nanos::get))) {
            FakeTransport.Connection first = fixture.connect("alice");
            assertThat(first.awaitSent(1)).as("a first frame at once").hasOnlyElementsOfType(ClientFrame.Ping.class);

            nanos.set(Duration.ofMillis(40).toNanos());
            FakeTransport.Connection second = fixture.transport.attempt(1);

            assertThat(first.aborted).isTrue();
            assertThat(fixture.states).anySatisfy(change -> assertThat(change.reason()).isEqualTo("heartbeat timeout"));
            second.accept("alice");
            fixture.awaitState(ConnectionState.RESUMED);
        }
    }

    @Test
    void aConnectionThatAnswersItsHeartbeatsIsKept() {
        AtomicLong nanos = new AtomicLong();
        try (ClientFixture fixture = new ClientFixture(builder -> builder.heartbeat(Duration.ofMillis(20)).nanoTime(nanos::get))) {
            FakeTransport.Connection first = fixture.connect("alice");

            for (int beat = 0; beat <= 3; beat++) {
                int expected = beat + 1;
                nanos.set(Duration.ofMillis(20L * beat).toNanos());
                eventually().until(() -> pings(first) == expected);
                List<ClientFrame> sent = first.sent();
                first.push(new ServerFrame.Pong(((ClientFrame.Ping) sent.get(sent.size() - 1)).id()));
            }

            assertThat(first.aborted).isFalse();
            assertThat(fixture.transport.attempts()).isEqualTo(1);
            assertThat(fixture.frames).as("heartbeat pongs stay internal").noneMatch(frame -> frame instanceof ServerFrame.Pong);
        }
    }

    private static long pings(FakeTransport.Connection connection) {
        return connection.sent().stream().filter(frame -> frame instanceof ClientFrame.Ping).count();
    }
}
