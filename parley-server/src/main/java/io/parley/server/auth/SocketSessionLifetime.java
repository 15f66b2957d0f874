package io.parley.server.auth;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.parley.protocol.CloseCodes;
import io.parley.server.connection.Connection;
import io.parley.server.connection.Connections;
import io.parley.server.token.TokenSessions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.events.SessionDestroyedEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * Ties each WebSocket of this node to the life of the HTTP session it was opened with, in both
 * modes, through the {@link SessionRepository} alone:
 * <ul>
 * <li>a session that expires or is deleted closes its sockets on this node with 1008 ({@link
 * #SESSION_EXPIRED}): at once when the store says so (Spring Session's {@link
 * SessionDestroyedEvent}: the Redis repository publishes it on every node from Redis's keyspace
 * events; the JDBC one of standalone mode publishes none), and otherwise at the next check, every {@link
 * SessionProperties#checkInterval()}, which finds the session gone;
 * <li>a session whose sockets received a frame since the last check is touched (its last access
 * time saved), so a user who only chats over the socket is not logged out by the session timeout.
 * A socket that stays silent for longer than the timeout does not keep its session alive; the web
 * UI and the Java client ping well within it.
 * </ul>
 * A store that fails (Redis down) closes nothing: the check logs one line and tries again at the
 * next interval. Logout is handled where it happens ({@link AuthController}), on every node.
 *
 * <p>Threading: the check runs on its own daemon thread; the event listener on the publisher's.
 */
@Component
class SocketSessionLifetime implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SocketSessionLifetime.class);

    /** 1008: the socket's HTTP session expired (or was deleted); log in again. */
    static final CloseStatus SESSION_EXPIRED = new CloseStatus(CloseCodes.POLICY_VIOLATION, "session expired");

    private final SessionRepository<? extends Session> sessions;
    private final Connections connections;
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "parley-session-check");
        thread.setDaemon(true);
        return thread;
    });

    SocketSessionLifetime(SessionRepository<? extends Session> sessions, Connections connections, SessionProperties properties) {
        this.sessions = sessions;
        this.connections = connections;
        long interval = properties.checkInterval().toMillis();
        checker.scheduleWithFixedDelay(this::checkSafely, interval, interval, TimeUnit.MILLISECONDS);
    }

    @EventListener
    void onSessionDestroyed(SessionDestroyedEvent event) {
        close(connections.ofHttpSession(event.getSessionId()), event.getSessionId());
    }

    /** One pass over this node's sockets: closes those of ended sessions, touches the active ones. */
    void check() {
        Map<String, List<Connection>> bySession = new HashMap<>();
        for (Connection connection : connections.all()) {
            String id = connection.httpSessionId();
            // A token socket has no HTTP session: its login ends by revocation, its token by TokenExpiry.
            if (id != null && !TokenSessions.isToken(id)) {
                bySession.computeIfAbsent(id, key -> new ArrayList<>()).add(connection);
            }
        }
        for (Map.Entry<String, List<Connection>> entry : bySession.entrySet()) {
            boolean active = false;
            for (Connection connection : entry.getValue()) {
                active |= connection.takeInboundActivity();
            }
            touchOrClose(entry.getKey(), entry.getValue(), active);
        }
    }

    private <S extends Session> void touchOrClose(String id, List<Connection> sockets, boolean active) {
        @SuppressWarnings("unchecked")
        SessionRepository<S> repository = (SessionRepository<S>) sessions;
        @Nullable S session = repository.findById(id);
        if (session == null) {
            close(sockets, id);
        }
        else if (active) {
            session.setLastAccessedTime(Instant.now());
            repository.save(session);
        }
    }

    private void close(List<Connection> sockets, String httpSessionId) {
        if (!sockets.isEmpty()) {
            log.debug("HTTP session {} ended: closing its {} socket(s) on this node", httpSessionId, sockets.size());
        }
        sockets.forEach(connection -> connection.close(SESSION_EXPIRED));
    }

    private void checkSafely() {
        try {
            check();
        }
        catch (RuntimeException ex) {
            log.warn("Checking the HTTP sessions of open sockets failed ({}); no socket closed, next check in one interval",
                    ex.toString());
        }
    }

    @Override
    public void destroy() {
        checker.shutdownNow();
    }
}
