package io.parley.server.auth;

import java.util.Set;

import io.parley.server.connection.HttpSessionEnded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.stereotype.Component;

/**
 * Ends every HTTP session of one user, as if each had logged out: the session is deleted from the
 * store (so its cookie authenticates nothing any more, on any node) and its WebSockets are closed
 * with 1008 on every node, through the logout path ({@link HttpSessionEnded}). The sessions are
 * found by principal name: Spring Session's index in Redis in cluster mode, the indexed
 * {@code principal_name} column of the session table in standalone mode ({@link
 * JsonJdbcSessionRepository}). Thread-safe; blocks for one store
 * look-up and one delete per session.
 */
@Component
public class UserSessions {

    private static final Logger log = LoggerFactory.getLogger(UserSessions.class);

    private final FindByIndexNameSessionRepository<? extends Session> sessions;
    private final HttpSessionEnded sessionEnded;

    UserSessions(FindByIndexNameSessionRepository<? extends Session> sessions, HttpSessionEnded sessionEnded) {
        this.sessions = sessions;
        this.sessionEnded = sessionEnded;
    }

    /** Ends every HTTP session of {@code user}; returns how many there were. Idempotent. */
    public int endAll(String user) {
        Set<String> ids = sessions.findByPrincipalName(user).keySet();
        for (String id : ids) {
            sessions.deleteById(id);
            sessionEnded.httpSessionEnded(user, id);
        }
        if (!ids.isEmpty()) {
            log.info("{} HTTP session(s) of {} ended", ids.size(), user);
        }
        return ids.size();
    }
}
