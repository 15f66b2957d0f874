package io.parley.server.chat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.protocol.BadFrame;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.server.cluster.ClusterProperties;
import io.parley.server.cluster.NodeIdentity;
import io.parley.server.cluster.local.LocalPresence;
import io.parley.server.cluster.local.LocalRegistry;
import io.parley.server.connection.ConnectionHandler;
import io.parley.server.connection.TestConnection;
import io.parley.server.history.Appended;
import io.parley.server.history.MessageLog;
import io.parley.server.history.StoredMessage;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ChatService}'s side of a drain: a quiesced connection answers what it took and takes no new send. */
class ChatServiceTests {

    /** A log whose appends stay pending until the test commits them. */
    static final class HeldMessageLog implements MessageLog {
        final FakeMessageLog delegate = new FakeMessageLog();
        final List<Runnable> held = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Appended> append(String room, String sender, UUID clientMsgId, String text) {
            CompletableFuture<Appended> result = new CompletableFuture<>();
            held.add(() -> delegate.append(room, sender, clientMsgId, text).thenAccept(result::complete));
            return result;
        }

        void commitAll() {
            held.forEach(Runnable::run);
        }

        @Override
        public long lastSeq(String room) {
            return delegate.lastSeq(room);
        }

        @Override
        public List<StoredMessage> after(String room, long afterSeq, int limit) {
            return delegate.after(room, afterSeq, limit);
        }

        @Override
        public List<StoredMessage> before(String room, @Nullable Long beforeSeq, int limit) {
            return delegate.before(room, beforeSeq, limit);
        }
    }

    /** Every user is a member of every room; no database. */
    static final class EveryoneIsAMember extends Memberships {
        EveryoneIsAMember() {
            super(null);
        }

        @Override
        public boolean add(String room, String user) {
            return false;
        }

        @Override
        public boolean isMember(String room, String user) {
            return true;
        }
    }

    private static final ChatProperties PROPERTIES = new ChatProperties(1000, 500, Duration.ofSeconds(1), 20, 40,
            Duration.ofSeconds(2), Duration.ofMillis(250));

    private final HeldMessageLog log = new HeldMessageLog();
    private final NodeIdentity node = new NodeIdentity("node-1");
    private final RoomHub hub = new RoomHub(new RoomHubTests.RecordingBus(), log, new LocalPresence(), new FrameCodec(),
            new ClusterProperties(Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofSeconds(60), Duration.ZERO,
                    Duration.ofSeconds(2)), PROPERTIES, new SimpleMeterRegistry());
    private final LocalRegistry registry = new LocalRegistry(node);
    private final RoomAccess access = new RoomAccess(user -> true);
    private final ReadPositions readPositions = new ReadPositions(JdbcClient.create(readPositionsTable()));
    private final ChatService chat = new ChatService(log, new EveryoneIsAMember(), hub, new RoomHubTests.RecordingBus(),
            new LocalPresence(), registry, new FrameCodec(), node, PROPERTIES, access, new UserSendLimits(registry, PROPERTIES),
            new ReadState(access, readPositions, new EveryoneIsAMember(), log,
                    new UserChannel(registry, new RoomHubTests.RecordingBus(), new FrameCodec(), node), new FrameCodec()));

    /** An in-memory H2 database with the read-position table of the migrations (own sends advance it). */
    static DataSource readPositionsTable() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:chat-service-tests-" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        JdbcClient.create(h2).sql("""
                CREATE TABLE read_positions (username VARCHAR(32) NOT NULL, room VARCHAR(100) NOT NULL, read_seq BIGINT NOT NULL,
                    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL, PRIMARY KEY (username, room))""").update();
        return h2;
    }

    @AfterEach
    void stop() {
        readPositions.destroy();
        hub.destroy();
    }

    @Test
    void aQuiescedConnectionCompletesOnlyOnceTheSendItTookIsAcknowledged() {
        TestConnection alice = TestConnection.open("c-1", "alice", "http-1");
        ConnectionHandler handler = chat.onOpen(alice.connection());
        UUID first = UUID.randomUUID();
        handler.onFrame(new ClientFrame.Send("general", first, "before the drain"));

        CompletionStage<Void> quiesced = handler.quiesce();
        assertThat(quiesced.toCompletableFuture()).as("a send is still being committed").isNotDone();

        log.commitAll();
        assertThat(quiesced.toCompletableFuture()).isCompleted();
        assertThat(alice.written()).last().asString().contains("\"type\":\"sent\"").contains(first.toString());
    }

    @Test
    void aSendAfterQuiesceIsRefusedWithUnavailableAndNotStored() {
        TestConnection alice = TestConnection.open("c-1", "alice", "http-1");
        ConnectionHandler handler = chat.onOpen(alice.connection());

        assertThat(handler.quiesce().toCompletableFuture()).as("nothing in flight").isCompleted();
        assertThatThrownBy(() -> handler.onFrame(new ClientFrame.Send("general", UUID.randomUUID(), "during the drain")))
                .isInstanceOfSatisfying(BadFrame.class, bad -> assertThat(bad.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThat(log.held).as("nothing sent to the log").isEmpty();
        assertThat(handler.quiesce().toCompletableFuture()).as("quiesce again: same outcome").isCompleted();
    }

    @Test
    void aConnectionThatClosesWhileQuiescingCompletesItsQuiesce() {
        TestConnection alice = TestConnection.open("c-1", "alice", "http-1");
        ConnectionHandler handler = chat.onOpen(alice.connection());
        handler.onFrame(new ClientFrame.Send("general", UUID.randomUUID(), "in flight"));
        CompletionStage<Void> quiesced = handler.quiesce();

        handler.onClose();
        assertThat(quiesced.toCompletableFuture()).isCompleted();
    }
}
