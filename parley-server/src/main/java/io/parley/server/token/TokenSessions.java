package io.parley.server.token;

/**
 * The "session id" of a token connection: the refresh-token family of its access token, prefixed
 * so that it can never equal an HTTP session id. Revoking a family ends that session, which closes
 * its sockets on every node exactly as a logout does (see {@link io.parley.server.connection.HttpSessionEnded}).
 */
public final class TokenSessions {

    private static final String PREFIX = "token:";

    private TokenSessions() {
    }

    static String of(String family) {
        return PREFIX + family;
    }

    /** Whether a connection's session id is a token login's, not an HTTP session's (none to look up in the session store). */
    public static boolean isToken(String sessionId) {
        return sessionId.startsWith(PREFIX);
    }
}
