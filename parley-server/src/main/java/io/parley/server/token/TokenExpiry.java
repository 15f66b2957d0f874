package io.parley.server.token;

import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.parley.protocol.BadFrame;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.connection.Connection;
import io.parley.server.connection.CredentialWatch;
import io.parley.server.connection.Outgoing;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * A token connection lives as long as its access token: {@code parley.tokens.refresh-notice} before
 * the token's {@code exp} it is sent {@code {"type":"refresh","expiresAt":…}}, and at {@code exp}
 * it is closed with 4001 ({@link CloseCodes#TOKEN_EXPIRED}) unless an {@code auth} frame carried a
 * new access token of the same user and the same login (refresh-token family) first; that one is
 * checked exactly as at the handshake and answered with {@code authed}, and the clock restarts from
 * its {@code exp}. The close comes from one timer thread: it is late by that thread's scheduling
 * delay only, well under a second on a loaded node. Cookie connections are not watched.
 *
 * <p>Thread-safe: each connection's {@link Watch} is touched by the socket's container thread (open,
 * auth) and the timer thread, under its own lock.
 */
@Component
class TokenExpiry implements CredentialWatch, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(TokenExpiry.class);
    static final CloseStatus EXPIRED = new CloseStatus(CloseCodes.TOKEN_EXPIRED, "access token expired: refresh it and reconnect");

    private final JwtDecoder decoder;
    private final FrameCodec codec;
    private final TokenProperties properties;
    private final Clock clock = Clock.systemUTC();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "parley-token-expiry");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();

    TokenExpiry(JwtDecoder decoder, FrameCodec codec, TokenProperties properties) {
        this.decoder = decoder;
        this.codec = codec;
        this.properties = properties;
    }

    @Override
    public void onOpen(Connection connection, Principal principal) {
        if (principal instanceof JwtAuthenticationToken token) {
            Watch watch = new Watch(connection, String.valueOf(token.getToken().getClaimAsString(AccessTokens.FAMILY_CLAIM)));
            watches.put(connection.id(), watch);
            watch.until(expiry(token.getToken()));
        }
    }

    @Override
    public void onAuth(Connection connection, ClientFrame.Auth auth) {
        Watch watch = watches.get(connection.id());
        if (watch == null) {
            throw new BadFrame("this connection was not opened with a token");
        }
        Jwt jwt;
        try {
            jwt = decoder.decode(auth.token());
        } catch (JwtException e) {
            throw new BadFrame(ErrorCode.UNAUTHORIZED, "token refused: invalid or expired");
        }
        if (!connection.user().equals(jwt.getSubject())) {
            throw new BadFrame(ErrorCode.UNAUTHORIZED, "token refused: it is another user's");
        }
        if (!watch.family.equals(jwt.getClaimAsString(AccessTokens.FAMILY_CLAIM))) {
            throw new BadFrame(ErrorCode.UNAUTHORIZED, "token refused: it belongs to another login; reconnect with it");
        }
        Instant expiresAt = expiry(jwt);
        watch.until(expiresAt);
        connection.send(Outgoing.control(codec.encode(new ServerFrame.Authed(expiresAt))));
    }

    @Override
    public void onClose(Connection connection) {
        Watch watch = watches.remove(connection.id());
        if (watch != null) {
            watch.cancel();
        }
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }

    private static Instant expiry(Jwt jwt) {
        Instant expiresAt = jwt.getExpiresAt();
        if (expiresAt == null) {
            throw new IllegalStateException("the decoder let a token without exp through");
        }
        return expiresAt;
    }

    /** The timers of one token connection. */
    private final class Watch {
        private final Connection connection;
        private final String family;
        private @Nullable ScheduledFuture<?> notice;
        private @Nullable ScheduledFuture<?> close;

        Watch(Connection connection, String family) {
            this.connection = connection;
            this.family = family;
        }

        synchronized void until(Instant expiresAt) {
            cancel();
            Instant now = clock.instant();
            long noticeIn = Math.max(0, Duration.between(now, expiresAt.minus(properties.refreshNotice())).toMillis());
            long closeIn = Math.max(0, Duration.between(now, expiresAt).toMillis());
            notice = timer.schedule(() -> connection.send(Outgoing.control(codec.encode(new ServerFrame.Refresh(expiresAt)))),
                    noticeIn, TimeUnit.MILLISECONDS);
            close = timer.schedule(() -> {
                log.debug("{} closed: its access token expired at {}", connection, expiresAt);
                connection.close(EXPIRED);
            }, closeIn, TimeUnit.MILLISECONDS);
        }

        synchronized void cancel() {
            if (notice != null) {
                notice.cancel(false);
            }
            if (close != null) {
                close.cancel(false);
            }
        }
    }
}
