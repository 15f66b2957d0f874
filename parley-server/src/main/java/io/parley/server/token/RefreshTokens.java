package io.parley.server.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The {@code refresh_tokens} table. A refresh token is 32 random bytes (base64url, 43 chars) given
 * to the client once; the table holds only its SHA-256, so a leaked table mints nothing. Each login
 * starts a <em>family</em>; every {@link #rotate} marks the presented token used and issues its
 * successor in the same family. Presenting a used token again means two parties hold the chain
 * (one of them a thief): the whole family is revoked ({@link Rotation.Reused}), and its sockets are
 * closed by the caller. Thread-safe; every method is one transaction, and two nodes racing to rotate
 * the same token cannot both succeed (a conditional update decides).
 */
@Repository
public class RefreshTokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcClient jdbc;
    private final TokenProperties properties;
    private final Clock clock = Clock.systemUTC();

    RefreshTokens(JdbcClient jdbc, TokenProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    /** A refresh token as handed to a client: its value, family and expiry. */
    public record Issued(String value, String family, String user, Instant expiresAt) {
        @Override
        public String toString() {
            return "Issued[family=" + family + ", user=" + user + ", value=***]";
        }
    }

    /** What {@link #rotate} found. */
    public sealed interface Rotation {
        /** The presented token was valid; it is now used and {@code next} replaces it. */
        record Rotated(Issued next) implements Rotation {
        }

        /** The presented token had been used already: its family is now revoked. */
        record Reused(String user, String family) implements Rotation {
        }

        /** Unknown, expired or revoked: nothing changed. */
        record Refused() implements Rotation {
        }
    }

    /** Starts a new family for {@code user}. */
    @Transactional
    public Issued issue(String user) {
        return insert(user, UUID.randomUUID().toString());
    }

    /** Uses {@code value} once: see {@link Rotation}. */
    @Transactional
    public Rotation rotate(String value) {
        Optional<Row> found = find(value);
        if (found.isEmpty()) {
            return new Rotation.Refused();
        }
        Row row = found.get();
        Instant now = clock.instant();
        if (row.revoked() || !row.expiresAt().isAfter(now)) {
            return new Rotation.Refused();
        }
        int marked = jdbc.sql("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL")
                .params(Timestamp.from(now), hash(value))
                .update();
        if (row.used() || marked == 0) {
            revokeFamily(row.family());
            return new Rotation.Reused(row.user(), row.family());
        }
        return new Rotation.Rotated(insert(row.user(), row.family()));
    }

    /** Revokes the family of {@code value}; empty when the token is unknown. Idempotent. */
    @Transactional
    public Optional<Rotation.Reused> revoke(String value) {
        return find(value).map(row -> {
            revokeFamily(row.family());
            return new Rotation.Reused(row.user(), row.family());
        });
    }

    /** Revokes every live family of {@code user}; returns their ids (to close their sockets). */
    @Transactional
    public List<String> revokeAll(String user) {
        List<String> families = jdbc.sql("SELECT DISTINCT family FROM refresh_tokens WHERE username = ? AND revoked_at IS NULL")
                .param(user)
                .query(String.class)
                .list();
        families.forEach(this::revokeFamily);
        return families;
    }

    private void revokeFamily(String family) {
        jdbc.sql("UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL")
                .params(Timestamp.from(clock.instant()), family)
                .update();
    }

    private Issued insert(String user, String family) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        Instant expiresAt = now.plus(properties.refreshLifetime());
        jdbc.sql("INSERT INTO refresh_tokens (token_hash, family, username, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)")
                .params(hash(value), family, user, Timestamp.from(now), Timestamp.from(expiresAt))
                .update();
        return new Issued(value, family, user, expiresAt);
    }

    private record Row(String family, String user, Instant expiresAt, boolean used, boolean revoked) {
    }

    private Optional<Row> find(String value) {
        return jdbc.sql("SELECT family, username, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = ?")
                .param(hash(value))
                .query((rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                        rs.getTimestamp(4) != null, rs.getTimestamp(5) != null))
                .optional();
    }

    static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
