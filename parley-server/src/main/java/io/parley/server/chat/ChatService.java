package io.parley.server.chat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.parley.protocol.BadFrame;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.Protocol;
import io.parley.protocol.RoomName;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.Bus;
import io.parley.server.cluster.NodeIdentity;
import io.parley.server.cluster.Presence;
import io.parley.server.cluster.Registry;
import io.parley.server.connection.Connection;
import io.parley.server.connection.ConnectionHandler;
import io.parley.server.connection.FrameHandler;
import io.parley.server.connection.Outgoing;
import io.parley.server.history.AppendFailedException;
import io.parley.server.history.Appended;
import io.parley.server.history.MessageLog;
import io.parley.server.history.StoredMessage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * The chat commands of protocol v1: {@code join}, {@code leave}, {@code send}, {@code history},
 * {@code typing}, {@code ping}. Called by the connection layer one frame at a time per connection.
 *
 * <p>A {@code send} is acknowledged ({@code sent}) only after the log committed it, then published
 * on the room's bus channel; every node delivers it to its local subscribers through {@link RoomHub}.
 * A {@code join} with {@code since} replays the log up to the room's head, then goes live, with
 * neither gap nor duplicate (see {@link Subscription}); then the connection gets the room's presence
 * snapshot, and coalesced deltas afterwards (see {@link PresenceFeed}). A join or leave that changes
 * the room's online set publishes a {@code presence-delta} notice on the room's channel.
 *
 * <p>Every frame acts as its connection's user and no one else: no frame names its sender. Each
 * command is authorized before it touches anything ({@link RoomAccess}: direct rooms for their two
 * existing participants only; {@code send} for members; {@code typing} on a room this connection
 * joined), and a {@code send} first takes a token from the user's bucket ({@link UserSendLimits}).
 *
 * <p>When the node drains, a connection about to be closed is {@linkplain ConnectionHandler#quiesce()
 * quiesced}: from then on its {@code send} frames are refused with {@code unavailable}, and the
 * drain closes it once every send it took has been answered.
 */
@Service
public class ChatService implements FrameHandler {

    private static final Logger log = LoggerFactory.getLogger(ChatService.class);

    private final MessageLog messageLog;
    private final Memberships memberships;
    private final RoomHub hub;
    private final Bus bus;
    private final Presence presence;
    private final Registry registry;
    private final FrameCodec codec;
    private final NodeIdentity node;
    private final ChatProperties properties;
    private final RoomAccess access;
    private final UserSendLimits sendLimits;
    private final ReadState readState;

    public ChatService(MessageLog messageLog, Memberships memberships, RoomHub hub, Bus bus, Presence presence,
            Registry registry, FrameCodec codec, NodeIdentity node, ChatProperties properties, RoomAccess access,
            UserSendLimits sendLimits, ReadState readState) {
        this.access = access;
        this.sendLimits = sendLimits;
        this.readState = readState;
        this.messageLog = messageLog;
        this.memberships = memberships;
        this.hub = hub;
        this.bus = bus;
        this.presence = presence;
        this.registry = registry;
        this.codec = codec;
        this.node = node;
        this.properties = properties;
    }

    /**
     * A connection's chat state, created at open and kept by the connection layer: frames reach it
     * without a look-up. Touched by its own frame thread, and by close.
     */
    private final class ChatSession implements ConnectionHandler {
        final Connection connection;
        final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
        final Map<String, Boolean> memberOf = new ConcurrentHashMap<>();
        final Map<String, Long> lastTyping = new ConcurrentHashMap<>();
        /** The user's send rate on this node, shared with the user's other local connections. */
        final UserSendLimits.Bucket sendBucket;
        volatile boolean closed;
        /** Sends taken and not yet answered; with {@link #quiescing}, what a drain waits for. */
        final AtomicInteger sendsInFlight = new AtomicInteger();
        volatile boolean quiescing;
        final CompletableFuture<Void> quiesced = new CompletableFuture<>();

        ChatSession(Connection connection, UserSendLimits.Bucket sendBucket) {
            this.connection = connection;
            this.sendBucket = sendBucket;
        }

        @Override
        public void onFrame(ClientFrame frame) {
            if (closed) {
                return;
            }
            if (frame instanceof ClientFrame.Send send) {
                send(connection, this, send);
            } else if (frame instanceof ClientFrame.Join join) {
                join(connection, this, join);
            } else if (frame instanceof ClientFrame.Leave leave) {
                leave(connection, this, leave);
            } else if (frame instanceof ClientFrame.History history) {
                history(connection, history);
            } else if (frame instanceof ClientFrame.Typing typing) {
                typing(connection, this, typing);
            } else if (frame instanceof ClientFrame.Read read) {
                readState.read(connection, read);
            } else if (frame instanceof ClientFrame.Ping ping) {
                reply(connection, new ServerFrame.Pong(ping.id()));
            }
        }

        @Override
        public void onClose() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                for (Subscription subscription : subscriptions.values()) {
                    unsubscribe(subscription);
                }
                subscriptions.clear();
            } finally {
                sendLimits.release(sendBucket);
                readState.closed(connection);
                registry.disconnected(connection.user());
                quiesced.complete(null); // nothing can be answered any more
            }
        }

        @Override
        public CompletionStage<Void> quiesce() {
            quiescing = true;
            if (sendsInFlight.get() == 0) {
                quiesced.complete(null);
            }
            return quiesced;
        }

        /**
         * Takes a send, unless the connection is quiescing. The count goes up before the flag is
         * read, and {@link #quiesce} sets the flag before it reads the count: either the drain waits
         * for this send, or this send sees the flag and is refused.
         */
        boolean takeSend() {
            sendsInFlight.incrementAndGet();
            if (quiescing) {
                sendAnswered();
                return false;
            }
            return true;
        }

        /** A taken send was answered ({@code sent} or an error frame queued), or failed before it was sent to the log. */
        void sendAnswered() {
            if (sendsInFlight.decrementAndGet() == 0 && quiescing) {
                quiesced.complete(null);
            }
        }
    }

    @Override
    public ConnectionHandler onOpen(Connection connection) {
        registry.connected(connection.user());
        readState.opened(connection);
        ChatSession session = new ChatSession(connection, sendLimits.acquire(connection.user()));
        reply(connection, new ServerFrame.Welcome(connection.user(), node.id(), Protocol.VERSION));
        return session;
    }

    private void join(Connection connection, ChatSession session, ClientFrame.Join join) {
        String room = join.room();
        access.checkRead(room, connection.user());
        memberships.add(room, connection.user());
        if (!RoomName.isDirect(room)) {
            // A direct room's first send on this connection also makes the other participant a member.
            session.memberOf.put(room, Boolean.TRUE);
        }
        Subscription previous = session.subscriptions.remove(room);
        if (previous != null) {
            unsubscribe(previous);
        }
        Subscription subscription = new Subscription(connection, room);
        long head = hub.subscribe(subscription);
        session.subscriptions.put(room, subscription);
        try {
            reply(connection, new ServerFrame.Joined(room, head));
            replay(connection, room, join.since() == null ? head : Math.min(join.since(), head), head);
        } catch (RuntimeException e) {
            // Not subscribed rather than subscribed with a hole: the client joins again.
            session.subscriptions.remove(room, subscription);
            hub.unsubscribe(subscription);
            throw e;
        }
        subscription.finishReplay(head);
        if (session.closed) {
            // Closed while joining: onClose may have missed this subscription.
            session.subscriptions.remove(room, subscription);
            hub.unsubscribe(subscription);
            return;
        }
        if (presence.enter(room, connection.user())) {
            bus.publish(room, new ServerFrame.PresenceDelta(room, List.of(connection.user()), List.of()));
        }
        hub.tellPresence(subscription);
    }

    /** Sends the messages after {@code since} up to {@code head}; announces a gap for what exceeds the replay limit. */
    private void replay(Connection connection, String room, long since, long head) {
        long from = since;
        if (head - from > properties.maxReplay()) {
            long skippedTo = head - properties.maxReplay();
            reply(connection, new ServerFrame.Gap(room, from + 1, skippedTo));
            from = skippedTo;
        }
        while (from < head) {
            List<StoredMessage> page = messageLog.after(room, from, (int) Math.min(properties.replayPage(), head - from));
            if (page.isEmpty()) {
                return;
            }
            for (StoredMessage message : page) {
                if (message.seq() > head) {
                    return;
                }
                connection.send(Outgoing.roomMessage(codec.encode(Messages.frame(message)), room, message.seq()));
                from = message.seq();
            }
        }
    }

    private void leave(Connection connection, ChatSession session, ClientFrame.Leave leave) {
        String room = leave.room();
        Subscription subscription = session.subscriptions.remove(room);
        if (subscription != null) {
            unsubscribe(subscription);
        }
        memberships.remove(room, connection.user());
        session.memberOf.remove(room);
        reply(connection, new ServerFrame.Left(room));
    }

    private void unsubscribe(Subscription subscription) {
        hub.unsubscribe(subscription);
        String room = subscription.room();
        String user = subscription.connection().user();
        if (presence.exit(room, user)) {
            bus.publish(room, new ServerFrame.PresenceDelta(room, List.of(), List.of(user)));
        }
    }

    private void send(Connection connection, ChatSession session, ClientFrame.Send send) {
        if (!session.sendBucket.tryAcquire()) {
            throw new BadFrame(ErrorCode.RATE_LIMITED, "too many messages from this user (at most " + properties.sendBurst()
                    + " at once, then " + formatRate(properties.sendRate()) + " a second); not stored, retry later with the same clientMsgId");
        }
        String room = send.room();
        String user = connection.user();
        checkMayPost(session, room, user);
        UUID clientMsgId = send.clientMsgId();
        if (!session.takeSend()) {
            throw new BadFrame(ErrorCode.UNAVAILABLE,
                    "this node is shutting down; message not stored; send it again with the same clientMsgId after reconnecting");
        }
        // The message ends this user's typing on the others' screens: their next typing is news at once.
        session.lastTyping.remove(room);
        try {
            messageLog.append(room, user, clientMsgId, send.text()).whenComplete((appended, failure) -> {
                try {
                    if (failure != null) {
                        refused(connection, room, clientMsgId, failure);
                    } else {
                        sent(connection, appended);
                    }
                } finally {
                    session.sendAnswered();
                }
            });
        } catch (RuntimeException e) {
            session.sendAnswered();
            throw e;
        }
    }

    /** Nothing was stored: neither acknowledged nor delivered. The client retries with the same clientMsgId. */
    private void refused(Connection connection, String room, UUID clientMsgId, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof AppendFailedException append && append.reason() == AppendFailedException.Reason.QUEUE_FULL) {
            reply(connection, new ServerFrame.Error(ErrorCode.RATE_LIMITED,
                    "server busy, message not stored; retry with the same clientMsgId", clientMsgId.toString()));
            return;
        }
        log.warn("Message {} of {} to {} not stored: {}", clientMsgId, connection.user(), room, cause.toString());
        reply(connection, new ServerFrame.Error(ErrorCode.INTERNAL,
                "message not stored; retry with the same clientMsgId", clientMsgId.toString()));
    }

    private void sent(Connection connection, Appended appended) {
        StoredMessage message = appended.message();
        reply(connection, new ServerFrame.Sent(message.room(), message.clientMsgId(), message.seq()));
        if (!appended.duplicate()) {
            readState.sent(message.sender(), message.room(), message.seq());
            bus.publish(message.room(), Messages.frame(message));
        }
    }

    /** Members may post; in a direct room, a participant's first message makes both participants members. */
    private void checkMayPost(ChatSession session, String room, String user) {
        if (session.memberOf.containsKey(room)) {
            return;
        }
        access.checkRead(room, user);
        if (RoomName.isDirect(room)) {
            for (String participant : RoomName.participants(room)) {
                if (memberships.add(room, participant) && !participant.equals(user)) {
                    readState.becameMember(participant, room);
                }
            }
        } else if (!memberships.isMember(room, user)) {
            throw new BadFrame(ErrorCode.FORBIDDEN, "join the room before sending to it");
        }
        session.memberOf.put(room, Boolean.TRUE);
    }

    private void history(Connection connection, ClientFrame.History history) {
        access.checkRead(history.room(), connection.user());
        List<ServerFrame.Message> messages = messageLog.before(history.room(), history.before(), history.limitOrDefault())
                .stream().map(Messages::frame).toList();
        reply(connection, new ServerFrame.History(history.room(), messages));
    }

    private void typing(Connection connection, ChatSession session, ClientFrame.Typing typing) {
        String room = typing.room();
        if (!session.subscriptions.containsKey(room)) {
            throw new BadFrame(ErrorCode.FORBIDDEN, "join the room before typing in it");
        }
        long now = System.nanoTime();
        Long last = session.lastTyping.get(room);
        if (last != null && now - last < properties.typingInterval().toNanos()) {
            return;
        }
        session.lastTyping.put(room, now);
        bus.publish(room, new ServerFrame.Typing(room, connection.user()));
    }

    private static String formatRate(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    private void reply(Connection connection, ServerFrame frame) {
        connection.send(Outgoing.control(codec.encode(frame)));
    }

}
