package io.parley.server.token;

import java.util.List;

import io.parley.server.connection.HttpSessionEnded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Signs a user out of every token login: each live refresh-token family of the user is revoked
 * ({@link RefreshTokens#revokeAll}) and the sockets opened with its access tokens are closed with
 * 1008 on every node, through the logout path ({@link HttpSessionEnded}, with the family's
 * {@link TokenSessions} id). Access tokens already issued stay valid for HTTP until they expire
 * (they are not checked against the database). Called for the user themself
 * ({@code POST /api/tokens/revoke-all}) and by an admin ({@code io.parley.server.ops}). Thread-safe.
 */
@Component
public class TokenLogins {

    private static final Logger log = LoggerFactory.getLogger(TokenLogins.class);

    private final RefreshTokens refreshTokens;
    private final HttpSessionEnded sessionEnded;

    TokenLogins(RefreshTokens refreshTokens, HttpSessionEnded sessionEnded) {
        this.refreshTokens = refreshTokens;
        this.sessionEnded = sessionEnded;
    }

    /** Revokes every token login of {@code user}; returns how many were live. Idempotent. */
    public int revokeAll(String user) {
        List<String> families = refreshTokens.revokeAll(user);
        for (String family : families) {
            sessionEnded.httpSessionEnded(user, TokenSessions.of(family));
        }
        log.info("Every token login of {} revoked ({})", user, families.size());
        return families.size();
    }
}
