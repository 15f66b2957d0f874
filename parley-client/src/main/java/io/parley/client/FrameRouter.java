package io.parley.client;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.protocol.ServerFrame.Message;
import org.jspecify.annotations.Nullable;

/**
 * The inbound side of a client: decodes each server frame, answers the request it replies to,
 * runs room messages through their {@link RoomSequencer} and gives listeners what they should see.
 *
 * <p>What listeners see: every frame, in arrival order, except that {@code message}s come out of
 * the sequencers (de-duplicated, in order, gap fills included), and the {@code history} pages of
 * gap fills and the {@code pong}s of heartbeats stay internal. {@code presence} and
 * {@code presence-delta} frames update the room's online set before the listeners see them.
 *
 * <p>Confined to the client's event loop.
 */
final class FrameRouter {

    private static final System.Logger log = System.getLogger(FrameRouter.class.getName());

    /** What the router needs from the connection's life cycle. */
    interface Lifecycle {
        void welcomed(Session session, ServerFrame.Welcome welcome);

        /** Every room re-joined on {@code session} has answered. */
        void rejoined(Session session);

        /** Give up on {@code session} and reconnect. */
        void drop(Session session, String reason, Throwable cause);
    }

    private final FrameCodec codec;
    private final Rooms rooms;
    private final Outbox outbox;
    private final Listeners listeners;
    private final LongSupplier nanoTime;
    private final Lifecycle lifecycle;

    FrameRouter(FrameCodec codec, Rooms rooms, Outbox outbox, Listeners listeners, LongSupplier nanoTime, Lifecycle lifecycle) {
        this.codec = codec;
        this.rooms = rooms;
        this.outbox = outbox;
        this.listeners = listeners;
        this.nanoTime = nanoTime;
        this.lifecycle = lifecycle;
    }

    void route(Session s, String text) {
        ServerFrame frame;
        try {
            frame = codec.decodeServer(text);
        } catch (IllegalArgumentException e) {
            log.log(Level.WARNING, "ignoring a frame this client does not understand: {0}", e.getMessage());
            return;
        }
        if (frame instanceof Message m) {
            onMessage(s, m);
            return;
        }
        if (frame instanceof ServerFrame.History h && isFill(s, h)) {
            return;
        }
        if (frame instanceof ServerFrame.Pong p && isHeartbeat(s, p)) {
            return;
        }
        // Before the listeners, so that a listener of presence frames reads the new set.
        if (frame instanceof ServerFrame.Presence snapshot) {
            rooms.presence(snapshot);
        } else if (frame instanceof ServerFrame.PresenceDelta delta) {
            rooms.presence(delta);
        }
        listeners.frame(frame);
        if (frame instanceof ServerFrame.Welcome w) {
            lifecycle.welcomed(s, w);
        } else if (frame instanceof ServerFrame.Joined j) {
            s.joins.remove(j.room());
            rooms.joined(j);
            rejoinAnswered(s, j.room());
        } else if (frame instanceof ServerFrame.Sent sent) {
            outbox.sent(sent.clientMsgId(), sent.seq());
        } else if (frame instanceof ServerFrame.Gap g) {
            onGap(s, g);
        } else if (frame instanceof ServerFrame.Left l) {
            s.leaves.remove(l.room());
            outbox.left(l.room());
        } else if (frame instanceof ServerFrame.Error e) {
            onError(s, e);
        }
    }

    /** Sends the next gap-fill page of {@code room}, if one is due. */
    void requestFill(Session s, RoomSequencer room) {
        ClientFrame.History fill = room.nextFill();
        if (fill != null) {
            s.history(new Session.HistoryRequest(fill, null));
        }
    }

    private void onMessage(Session s, Message m) {
        ServerFrame.Welcome w = s.welcome;
        if (w != null) {
            outbox.echoed(m, w.user());
        }
        RoomSequencer room = rooms.get(m.room());
        if (room != null) {
            deliver(room.onMessage(m));
            requestFill(s, room);
        }
    }

    private void onGap(Session s, ServerFrame.Gap gap) {
        RoomSequencer room = rooms.get(gap.room());
        if (room != null) {
            room.onGap(gap.from(), gap.to());
            requestFill(s, room);
        }
    }

    /** Routes a history page to the request it answers: true if that was a gap fill (internal). */
    private boolean isFill(Session s, ServerFrame.History page) {
        Session.HistoryRequest request = s.takeHistory(page.room());
        if (request == null) {
            return false;
        }
        CompletableFuture<List<Message>> result = request.result();
        if (result != null) {
            result.complete(page.messages());
            return false;
        }
        RoomSequencer room = rooms.get(page.room());
        if (room != null) {
            deliver(room.onFill(page.messages()));
            requestFill(s, room);
        }
        return true;
    }

    /** Routes a pong to its ping: true if that was a heartbeat (internal). */
    private boolean isHeartbeat(Session s, ServerFrame.Pong pong) {
        Session.PendingPing ping = pong.id() == null ? null : s.pings.remove(pong.id());
        if (ping == null) {
            return false;
        }
        if (ping.result() == null) {
            return true;
        }
        ping.result().complete(Duration.ofNanos(nanoTime.getAsLong() - ping.sentAtNanos()));
        return false;
    }

    /** An {@code error} answers the request its ref names: a clientMsgId, else the oldest request of a frame type. */
    private void onError(Session s, ServerFrame.Error error) {
        String ref = error.ref();
        if (ref == null) {
            return;
        }
        RequestFailedException failure = new RequestFailedException(error);
        UUID clientMsgId = uuidOrNull(ref);
        if (clientMsgId != null) {
            if (error.code() == ErrorCode.UNAVAILABLE) {
                // The node is draining (1012 follows): the send stays pending and goes again, with
                // the same clientMsgId, on the next connection.
                log.log(Level.DEBUG, "send {0} refused by a draining node; it is resent after the reconnect", ref);
                return;
            }
            outbox.failSend(clientMsgId, failure);
            return;
        }
        switch (ref) {
            case "join" -> {
                String room = s.joins.poll();
                if (room != null) {
                    rooms.joinFailed(room, failure);
                    rejoinAnswered(s, room);
                }
            }
            case "leave" -> {
                String room = s.leaves.poll();
                if (room != null) {
                    outbox.failLeave(room, failure);
                }
            }
            case "history" -> {
                Session.HistoryRequest request = s.histories.poll();
                if (request != null && request.isFill()) {
                    log.log(Level.WARNING, "the server refused to fill a gap in {0} ({1}); reconnecting to resume it",
                            request.frame().room(), error.message());
                    lifecycle.drop(s, "gap fill refused", failure);
                } else if (request != null) {
                    Outbox.failHistory(request, failure);
                }
            }
            case "ping" -> {
                Session.PendingPing ping = s.takeOldestPing();
                if (ping != null && ping.result() != null) {
                    ping.result().completeExceptionally(failure);
                }
            }
            default -> {
                // typing, or a type this client does not track: the listeners have the frame
            }
        }
    }

    private void rejoinAnswered(Session s, String room) {
        if (s.rejoins.remove(room) && s.rejoins.isEmpty() && !s.live) {
            lifecycle.rejoined(s);
        }
    }

    private void deliver(List<Message> messages) {
        for (Message m : messages) {
            listeners.frame(m);
        }
    }

    private static @Nullable UUID uuidOrNull(String ref) {
        if (ref.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(ref);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
