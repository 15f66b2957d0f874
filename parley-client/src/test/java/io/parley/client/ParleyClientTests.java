package io.parley.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.parley.protocol.BadFrame;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ServerFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.parley.client.TestMessages.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.parley.client.TestMessages.eventually;

/** Connection, requests and their replies, and closing; reconnects are in {@link ParleyClientReconnectTests}. */
class ParleyClientTests {

    private final ClientFixture fixture = new ClientFixture();
    private final ParleyClient client = fixture.client;

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void connectsToTheWebSocketWithTheOriginAndSessionCookieAndCompletesOnWelcome() {
        CompletableFuture<ServerFrame.Welcome> connected = client.connect();
        FakeTransport.Connection connection = fixture.transport.attempt(0);

        assertThat(connection.uri).isEqualTo(URI.create("ws://127.0.0.1:8080/ws"));
        assertThat(connection.headers).containsEntry("Origin", "http://127.0.0.1:8080").containsEntry("Cookie", "SESSION=s1");
        assertThat(connected).isNotDone();

        connection.accept("alice");

        assertThat(connected).succeedsWithin(Duration.ofSeconds(5)).extracting(ServerFrame.Welcome::user).isEqualTo("alice");
        assertThat(client.welcome().node()).isEqualTo("node-a");
        assertThat(fixture.states).extracting(StateChange::state)
                .containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
    }

    @Test
    void aRefusedFirstConnectionFailsConnectAndClosesTheClientWithoutRetrying() {
        CompletableFuture<ServerFrame.Welcome> connected = client.connect();
        fixture.transport.attempt(0).refuse(503, Duration.ofSeconds(3));

        assertThat(connected).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(HandshakeRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3));
                });
        fixture.awaitState(ConnectionState.CLOSED);
        assertThat(fixture.transport.attempts()).isEqualTo(1);
        assertThat(client.send("general", "hi")).failsWithin(Duration.ofSeconds(5));
    }

    @Test
    void joinSendsJoinAndCompletesOnJoined() {
        FakeTransport.Connection connection = fixture.connect("alice");

        CompletableFuture<ServerFrame.Joined> joined = client.join("general");
        assertThat(connection.awaitSent(1)).containsExactly(new ClientFrame.Join("general", null));
        connection.push(new ServerFrame.Joined("general", 41));

        assertThat(joined).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(new ServerFrame.Joined("general", 41));
        assertThat(client.lastSeq("general")).isEqualTo(41);
        assertThat(client.rooms()).containsExactly("general");
    }

    @Test
    void joinWithSinceAsksForTheReplayAndDeliversItInOrder() {
        FakeTransport.Connection connection = fixture.connect("alice");

        client.join("general", 3);
        assertThat(connection.awaitSent(1)).containsExactly(new ClientFrame.Join("general", 3L));
        connection.push(new ServerFrame.Joined("general", 5), message("general", 4), message("general", 5));

        assertThat(fixture.delivered("general")).containsExactly(4L, 5L);
        assertThat(client.lastSeq("general")).isEqualTo(5);
    }

    @Test
    void roomsJoinedBeforeConnectingAreJoinedOnConnection() {
        CompletableFuture<ServerFrame.Joined> joined = client.join("general");
        CompletableFuture<Long> sent = client.send("general", "early");

        FakeTransport.Connection connection = fixture.connect("alice");
        assertThat(connection.awaitSent(1)).containsExactly(new ClientFrame.Join("general", null));
        connection.push(new ServerFrame.Joined("general", 0));

        assertThat(joined).succeedsWithin(Duration.ofSeconds(5));
        assertThat(connection.awaitSent(2).get(1)).isInstanceOf(ClientFrame.Send.class);
        assertThat(sent).isNotDone();
    }

    @Test
    void sendUsesARandomClientMsgIdAndCompletesWithTheSeqOfSent() {
        FakeTransport.Connection connection = fixture.connect("alice");

        CompletableFuture<Long> first = client.send("general", "one");
        CompletableFuture<Long> second = client.send("general", "two");
        List<ClientFrame> sent = connection.awaitSent(2);
        ClientFrame.Send one = (ClientFrame.Send) sent.get(0);
        ClientFrame.Send two = (ClientFrame.Send) sent.get(1);
        assertThat(one.text()).isEqualTo("one");
        assertThat(one.clientMsgId()).isNotEqualTo(two.clientMsgId());

        connection.push(new ServerFrame.Sent("general", two.clientMsgId(), 8), new ServerFrame.Sent("general", one.clientMsgId(), 7));

        assertThat(first).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(7L);
        assertThat(second).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(8L);
    }

    @Test
    void anErrorReferringToASendFailsThatSend() {
        FakeTransport.Connection connection = fixture.connect("alice");
        UUID id = UUID.randomUUID();
        CompletableFuture<Long> sent = client.send("general", id, "hi");
        connection.awaitSent(1);

        connection.push(new ServerFrame.Error(ErrorCode.RATE_LIMITED, "slow down", id.toString()));

        assertThat(sent).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingCause()
                .isInstanceOfSatisfying(RequestFailedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED));
        assertThat(fixture.frames).last().isInstanceOf(ServerFrame.Error.class);
    }

    @Test
    void aRefusedJoinFailsAndForgetsTheRoom() {
        FakeTransport.Connection connection = fixture.connect("alice");
        CompletableFuture<ServerFrame.Joined> joined = client.join("dm:carol:dave");
        connection.awaitSent(1);

        connection.push(new ServerFrame.Error(ErrorCode.FORBIDDEN, "not yours", "join"));

        assertThat(joined).failsWithin(Duration.ofSeconds(5));
        assertThat(client.rooms()).isEmpty();
    }

    @Test
    void theOnlineSetOfARoomIsItsSnapshotWithTheDeltasAppliedAndIsForgottenOnLeave() {
        FakeTransport.Connection connection = fixture.connect("alice");
        client.join("general");
        connection.awaitSent(1);
        // Frames of a room not joined, and deltas before the first snapshot, change nothing.
        connection.push(new ServerFrame.Presence("random", List.of("zed")),
                new ServerFrame.Joined("general", 0),
                new ServerFrame.PresenceDelta("general", List.of("early"), List.of()),
                new ServerFrame.Presence("general", List.of("bob", "alice")));
        eventually().until(() -> client.online("general").size() == 2);
        assertThat(client.online("general")).containsExactly("alice", "bob");
        assertThat(client.online("random")).isEmpty();

        List<String> seenByListener = new java.util.concurrent.CopyOnWriteArrayList<>();
        client.onFrame(frame -> {
            if (frame instanceof ServerFrame.PresenceDelta) {
                seenByListener.add(String.join(",", client.online("general")));
            }
        });
        connection.push(new ServerFrame.PresenceDelta("general", List.of("carol", "dave"), List.of("bob")),
                new ServerFrame.PresenceDelta("general", List.of(), List.of("dave")),
                new ServerFrame.PresenceDelta("general", List.of("alice"), List.of()));

        eventually().until(() -> seenByListener.size() == 3);
        assertThat(seenByListener).as("a listener reads the set the frame made").containsExactly(
                "alice,carol,dave", "alice,carol", "alice,carol");
        assertThat(client.online("general")).containsExactly("alice", "carol");

        // A snapshot (after a re-join, or after the server shed this connection's deltas) replaces the set.
        connection.push(new ServerFrame.Presence("general", List.of("erin")));
        eventually().until(() -> client.online("general").equals(java.util.Set.of("erin")));

        client.leave("general");
        connection.awaitSent(2);
        connection.push(new ServerFrame.Left("general"));
        eventually().until(() -> client.online("general").isEmpty());
    }

    @Test
    void historyAndLeaveAndPingAreMatchedToTheirReplies() {
        FakeTransport.Connection connection = fixture.connect("alice");

        CompletableFuture<List<ServerFrame.Message>> history = client.history("general", 10L, 2);
        CompletableFuture<Void> left = client.leave("random");
        CompletableFuture<Duration> pong = client.ping();
        List<ClientFrame> sent = connection.awaitSent(3);
        assertThat(sent.get(0)).isEqualTo(new ClientFrame.History("general", 10L, 2));
        assertThat(sent.get(1)).isEqualTo(new ClientFrame.Leave("random"));
        String pingId = ((ClientFrame.Ping) sent.get(2)).id();

        connection.push(new ServerFrame.Pong(pingId), new ServerFrame.Left("random"),
                new ServerFrame.History("general", List.of(message("general", 8), message("general", 9))));

        assertThat(history).succeedsWithin(Duration.ofSeconds(5)).extracting(m -> m.stream().map(ServerFrame.Message::seq).toList())
                .isEqualTo(List.of(8L, 9L));
        assertThat(left).succeedsWithin(Duration.ofSeconds(5));
        assertThat(pong).succeedsWithin(Duration.ofSeconds(5)).satisfies(rtt -> assertThat(rtt.isNegative()).isFalse());
        assertThat(fixture.delivered("general")).as("history is not live delivery").isEmpty();
    }

    @Test
    void invalidArgumentsAreRejectedInTheCallersThread() {
        assertThatThrownBy(() -> client.join("Not A Room")).isInstanceOf(BadFrame.class);
        assertThatThrownBy(() -> client.send("general", "")).isInstanceOf(BadFrame.class);
    }

    @Test
    void closeSendsNormalClosureStopsReconnectingAndFailsPendingRequests() {
        FakeTransport.Connection connection = fixture.connect("alice");
        CompletableFuture<Long> pending = client.send("general", "hi");
        connection.awaitSent(1);

        client.close();

        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(connection.closedWith).isEqualTo(CloseCodes.NORMAL);
        assertThat(pending).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingCause()
                .isInstanceOf(ClientClosedException.class);
        assertThat(fixture.transport.attempts()).isEqualTo(1);
    }

    @Test
    void aCloseCodeThatMustNotBeRetriedClosesTheClient() {
        FakeTransport.Connection connection = fixture.connect("alice");
        CompletableFuture<Long> pending = client.send("general", "hi");
        connection.awaitSent(1);

        connection.serverClose(CloseCodes.POLICY_VIOLATION);

        fixture.awaitState(ConnectionState.CLOSED);
        assertThat(fixture.states).last().satisfies(change -> assertThat(change.closeCode()).isEqualTo(CloseCodes.POLICY_VIOLATION));
        assertThat(pending).failsWithin(Duration.ofSeconds(5));
        assertThat(fixture.transport.attempts()).isEqualTo(1);
    }

    @Test
    void aListenerThatThrowsDoesNotStopDelivery() {
        client.onFrame(frame -> {
            throw new IllegalStateException("listener bug");
        });
        FakeTransport.Connection connection = fixture.connect("alice");
        client.join("general");
        connection.awaitSent(1);

        connection.push(new ServerFrame.Joined("general", 0), message("general", 1));

        eventually().until(() -> fixture.delivered("general").equals(List.of(1L)));
    }
}
