package io.parley.server.token;

import java.time.Clock;
import java.time.Duration;

import org.springframework.security.oauth2.jwt.Jwt;

/**
 * The body of a successful {@code POST /api/tokens} or {@code /api/tokens/refresh}: the access token
 * (a JWT, sent as {@code Authorization: Bearer}), its lifetime in seconds, and the refresh token that
 * replaces any previous one of its family.
 */
public record TokenResponse(String username, String accessToken, String tokenType, long expiresIn,
        String refreshToken, long refreshExpiresIn) {

    static TokenResponse of(Jwt access, RefreshTokens.Issued refresh, Clock clock) {
        return new TokenResponse(refresh.user(), access.getTokenValue(), "Bearer",
                Duration.between(clock.instant(), access.getExpiresAt()).toSeconds(),
                refresh.value(), Duration.between(clock.instant(), refresh.expiresAt()).toSeconds());
    }

    @Override
    public String toString() {
        return "TokenResponse[username=" + username + ", expiresIn=" + expiresIn + ", tokens=***]";
    }
}
