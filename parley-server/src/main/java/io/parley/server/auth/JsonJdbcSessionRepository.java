package io.parley.server.auth;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;

/**
 * Standalone mode's session store: Spring Session's {@link JdbcIndexedSessionRepository} on the
 * embedded H2 database (tables {@code spring_session} and {@code spring_session_attributes},
 * migration V6), with every attribute value stored as JSON ({@link SessionJson#conversionService}),
 * and one rule the JDBC repository lacks: a session holding a value Parley does not read (a
 * Java-serialized object, a type id off the allowlist, malformed JSON) is no session, as in cluster
 * mode ({@link SessionJson#sessionMapper()}): the request goes on as anonymous, nothing answers 500.
 *
 * <p>Sessions survive a restart of the node; the look-up by principal name (an admin's revocation)
 * is the repository's indexed query on {@code principal_name}. Expired sessions are not found and
 * are deleted by the repository's cleanup, once a minute. Publishes no session events: sockets of an
 * ended session are closed by {@link SocketSessionLifetime}'s periodic check.
 *
 * <p>Thread-safe, as the repository is. Attribute values are read lazily by the repository; {@link
 * #findById} reads them all, once, to apply the rule above.
 */
final class JsonJdbcSessionRepository implements FindByIndexNameSessionRepository<Session>, InitializingBean, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(JsonJdbcSessionRepository.class);

    private final JdbcIndexedSessionRepository repository;
    /** The same repository, typed by the public {@link Session} (its own session type is package-private). */
    private final FindByIndexNameSessionRepository<Session> delegate;

    @SuppressWarnings("unchecked")
    JsonJdbcSessionRepository(JdbcIndexedSessionRepository repository) {
        this.repository = repository;
        this.delegate = (FindByIndexNameSessionRepository<Session>) (FindByIndexNameSessionRepository<?>) repository;
    }

    @Override
    public Session createSession() {
        return delegate.createSession();
    }

    @Override
    public void save(Session session) {
        delegate.save(session);
    }

    @Override
    public @Nullable Session findById(String id) {
        Session session = delegate.findById(id);
        if (session == null) {
            return null;
        }
        for (String name : session.getAttributeNames()) {
            if (session.getAttribute(name) instanceof SessionJson.Unreadable unreadable) {
                log.warn("A stored session holds a value Parley does not read ({}): treated as no session", unreadable.reason());
                return null;
            }
        }
        return session;
    }

    @Override
    public void deleteById(String id) {
        delegate.deleteById(id);
    }

    /**
     * The user's sessions, unread: the caller ends them ({@link UserSessions}), which needs their ids
     * only, and an unreadable one is ended too.
     */
    @Override
    public Map<String, Session> findByIndexNameAndIndexValue(String indexName, String indexValue) {
        return delegate.findByIndexNameAndIndexValue(indexName, indexValue);
    }

    /** Starts the repository's cleanup of expired sessions. */
    @Override
    public void afterPropertiesSet() {
        repository.afterPropertiesSet();
    }

    @Override
    public void destroy() {
        repository.destroy();
    }
}
