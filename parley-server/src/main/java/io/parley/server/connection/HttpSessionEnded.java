package io.parley.server.connection;

/**
 * Told when an HTTP session ends by logout, or a token login is revoked (its "session id" is then
 * {@code token:<family>}): every WebSocket opened with that session, on every node, must close with
 * 1008 ({@link io.parley.protocol.CloseCodes#POLICY_VIOLATION}), since it is no longer
 * authenticated. Called by the HTTP side ({@code auth}, {@code token}), implemented where the
 * cluster is known ({@code chat}), so that {@code connection} depends on neither. Thread-safe;
 * never blocks for long.
 */
public interface HttpSessionEnded {

    void httpSessionEnded(String user, String httpSessionId);
}
