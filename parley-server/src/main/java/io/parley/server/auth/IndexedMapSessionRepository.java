package io.parley.server.auth;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.MapSession;
import org.springframework.session.MapSessionRepository;
import org.springframework.session.PrincipalNameIndexResolver;
import org.springframework.session.Session;

/**
 * Standalone mode's session store: Spring Session's {@link MapSessionRepository} over this
 * process's memory, plus the look-up by principal name that the Redis repository has, so that an
 * admin can end every session of a user in both modes. The look-up scans the map (one pass over the
 * live sessions, the expired skipped): an admin action, never on a request path. Thread-safe, as the
 * map it is given must be.
 */
final class IndexedMapSessionRepository implements FindByIndexNameSessionRepository<MapSession> {

    private final Map<String, Session> sessions;
    private final MapSessionRepository delegate;
    private final PrincipalNameIndexResolver<Session> principalNames = new PrincipalNameIndexResolver<>();

    IndexedMapSessionRepository(Map<String, Session> sessions) {
        this.sessions = sessions;
        this.delegate = new MapSessionRepository(sessions);
    }

    MapSessionRepository delegate() {
        return delegate;
    }

    @Override
    public MapSession createSession() {
        return delegate.createSession();
    }

    @Override
    public void save(MapSession session) {
        delegate.save(session);
    }

    @Override
    public @Nullable MapSession findById(String id) {
        return delegate.findById(id);
    }

    @Override
    public void deleteById(String id) {
        delegate.deleteById(id);
    }

    /** The live sessions whose principal name (the logged-in user) is {@code indexValue}; empty for any other index. */
    @Override
    public Map<String, MapSession> findByIndexNameAndIndexValue(String indexName, String indexValue) {
        Map<String, MapSession> found = new LinkedHashMap<>();
        if (!PRINCIPAL_NAME_INDEX_NAME.equals(indexName)) {
            return found;
        }
        for (Session session : sessions.values()) {
            if (!session.isExpired() && indexValue.equals(principalNames.resolveIndexValueFor(session))) {
                found.put(session.getId(), new MapSession(session));
            }
        }
        return found;
    }
}
