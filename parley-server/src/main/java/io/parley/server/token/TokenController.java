package io.parley.server.token;

import java.time.Clock;

import jakarta.validation.Valid;
import io.parley.server.auth.Credentials;
import io.parley.server.connection.HttpSessionEnded;
import io.parley.server.web.ApiException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/tokens} (username and password in the body, or a logged-in HTTP session with its
 * CSRF token), {@code POST /api/tokens/refresh}, {@code POST /api/tokens/revoke} and
 * {@code POST /api/tokens/revoke-all} (authenticated). Issuing creates
 * no HTTP session. An access token cannot mint tokens: a stolen one dies at its expiry.
 */
@RestController
class TokenController {

    private static final Logger log = LoggerFactory.getLogger(TokenController.class);

    private final AuthenticationManager authenticationManager;
    private final AccessTokens accessTokens;
    private final RefreshTokens refreshTokens;
    private final HttpSessionEnded sessionEnded;
    private final TokenLogins logins;
    private final Clock clock = Clock.systemUTC();

    TokenController(AuthenticationManager authenticationManager, AccessTokens accessTokens, RefreshTokens refreshTokens,
            HttpSessionEnded sessionEnded, TokenLogins logins) {
        this.authenticationManager = authenticationManager;
        this.accessTokens = accessTokens;
        this.refreshTokens = refreshTokens;
        this.sessionEnded = sessionEnded;
        this.logins = logins;
    }

    @PostMapping("/api/tokens")
    TokenResponse issue(@Valid @RequestBody(required = false) @Nullable Credentials credentials,
            @Nullable Authentication current) {
        String user = credentials != null ? authenticate(credentials) : sessionUser(current);
        RefreshTokens.Issued refresh = refreshTokens.issue(user);
        log.debug("Tokens issued to {} (family {})", user, refresh.family());
        return TokenResponse.of(accessTokens.issue(user, refresh.family()), refresh, clock);
    }

    @PostMapping("/api/tokens/refresh")
    TokenResponse refresh(@Valid @RequestBody RefreshRequest request) {
        RefreshTokens.Rotation rotation = refreshTokens.rotate(String.valueOf(request.refreshToken()));
        if (rotation instanceof RefreshTokens.Rotation.Rotated rotated) {
            RefreshTokens.Issued next = rotated.next();
            return TokenResponse.of(accessTokens.issue(next.user(), next.family()), next, clock);
        }
        if (rotation instanceof RefreshTokens.Rotation.Reused reused) {
            log.warn("Refresh token of {} reused: family {} revoked", reused.user(), reused.family());
            sessionEnded.httpSessionEnded(reused.user(), TokenSessions.of(reused.family()));
            throw new ApiException(HttpStatus.UNAUTHORIZED, "refresh_token_reused",
                    "refresh token already used: every token of this login is revoked; log in again");
        }
        throw new ApiException(HttpStatus.UNAUTHORIZED, "invalid_refresh_token", "unknown, expired or revoked refresh token");
    }

    /** Revokes the refresh token's family and closes its sockets on every node. Always 204 (RFC 7009). */
    @PostMapping("/api/tokens/revoke")
    ResponseEntity<Void> revoke(@Valid @RequestBody RefreshRequest request) {
        refreshTokens.revoke(String.valueOf(request.refreshToken()))
                .ifPresent(revoked -> sessionEnded.httpSessionEnded(revoked.user(), TokenSessions.of(revoked.family())));
        return ResponseEntity.noContent().build();
    }

    /**
     * Signs the caller out everywhere: every token login of the authenticated user (session or
     * bearer) is revoked and its sockets closed with 1008 on every node ({@link TokenLogins}, which
     * an admin's revocation of another user calls too). 204.
     */
    @PostMapping("/api/tokens/revoke-all")
    ResponseEntity<Void> revokeAll(Authentication current) {
        logins.revokeAll(current.getName());
        return ResponseEntity.noContent().build();
    }

    private String authenticate(Credentials credentials) {
        try {
            return authenticationManager.authenticate(
                    UsernamePasswordAuthenticationToken.unauthenticated(credentials.username(), credentials.password())).getName();
        } catch (AuthenticationException e) {
            throw new ApiException(HttpStatus.UNAUTHORIZED, "bad_credentials", "wrong username or password");
        }
    }

    private static String sessionUser(@Nullable Authentication current) {
        if (current == null || current instanceof AnonymousAuthenticationToken || !current.isAuthenticated()) {
            throw new ApiException(HttpStatus.UNAUTHORIZED, "unauthorized", "send username and password, or log in first");
        }
        if (current instanceof JwtAuthenticationToken) {
            throw new ApiException(HttpStatus.FORBIDDEN, "forbidden", "an access token cannot mint tokens; use the refresh token");
        }
        return current.getName();
    }
}
