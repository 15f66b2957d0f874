package io.parley.server.token;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The decoder and encoder built from configured keys, through a key rotation; no database involved. */
class TokenConfigurationTests {

    private final TokenConfiguration configuration = new TokenConfiguration();
    private final ECKey oldKey = StoredSigningKeys.generate();
    private final ECKey newKey = StoredSigningKeys.generate();

    private static TokenProperties properties(String jwkSet, Path file) {
        return new TokenProperties(Duration.ofMinutes(15), Duration.ofDays(30), Duration.ofSeconds(30), Duration.ofSeconds(60), "parley", jwkSet, file);
    }

    private SigningKeys keys(ECKey... keys) throws IOException {
        return configuration.signingKeys(properties(new JWKSet(List.of(keys)).toString(false), null), null);
    }

    private AccessTokens tokens(SigningKeys keys) {
        return new AccessTokens(configuration.jwtEncoder(keys), keys, properties(null, null));
    }

    private JwtDecoder decoder(SigningKeys keys) {
        return configuration.jwtDecoder(keys, properties(null, null));
    }

    @Test
    void aRolloverSignsWithTheNewKeyAndKeepsTokensOfTheOldOneValidUntilTheOldKeyIsRemoved() throws IOException {
        SigningKeys before = keys(oldKey);
        String old = tokens(before).issue("alice", "family").getTokenValue();

        SigningKeys during = keys(newKey, oldKey);
        Jwt fresh = tokens(during).issue("alice", "family");
        assertThat(fresh.getHeaders()).containsEntry("kid", newKey.getKeyID());
        assertThat(decoder(during).decode(old).getSubject()).isEqualTo("alice");
        assertThat(decoder(during).decode(fresh.getTokenValue()).getSubject()).isEqualTo("alice");

        SigningKeys after = keys(newKey);
        assertThat(decoder(after).decode(fresh.getTokenValue()).getSubject()).isEqualTo("alice");
        assertThatThrownBy(() -> decoder(after).decode(old)).isInstanceOf(JwtException.class);
    }

    @Test
    void theJwksOfARolloverHoldsBothPublicKeysAndNoPrivatePart() throws IOException {
        JWKSet published = keys(newKey, oldKey).publicSet();
        assertThat(published.getKeys()).extracting(k -> k.getKeyID()).containsExactly(newKey.getKeyID(), oldKey.getKeyID());
        assertThat(published.getKeys()).noneMatch(k -> k.isPrivate());
    }

    @Test
    void keysAreReadFromAFileWhenNotGivenInline(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, new JWKSet(oldKey).toString(false));
        SigningKeys keys = configuration.signingKeys(properties(null, file), null);
        assertThat(keys.signing().getKeyID()).isEqualTo(oldKey.getKeyID());
    }

    @Test
    void publicOnlyKeysKeysWithoutIdAndOtherCurvesAreRejected() {
        assertThatThrownBy(() -> keys(oldKey.toPublicJWK())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("private");
        assertThatThrownBy(() -> keys(new ECKey.Builder(oldKey).keyID(null).build())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kid");
        assertThatThrownBy(() -> SigningKeys.parse("{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"kid\":\"x\"}]}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an EC key");
        assertThatThrownBy(() -> SigningKeys.parse("not json")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigningKeys.parse("{\"keys\":[]}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void forgedTokensAreRefusedByTheDecoder() throws IOException {
        SigningKeys keys = keys(oldKey);
        JwtDecoder decoder = decoder(keys);
        ForgedTokens forged = new ForgedTokens(oldKey);
        assertThat(decoder.decode(forged.good("bob")).getSubject()).isEqualTo("bob");
        for (String token : List.of(forged.expired("bob"), forged.notYetValid("bob"), forged.wrongKey("bob"),
                forged.tampered("bob", "eve"), forged.unsigned("bob"), forged.hmac("bob"))) {
            assertThatThrownBy(() -> decoder.decode(token)).as(token).isInstanceOf(JwtException.class);
        }
    }

    @Test
    void aTokenJustPastItsExpiryIsAcceptedWithinTheClockSkewOnly() throws IOException {
        SigningKeys keys = keys(oldKey);
        java.time.Instant now = java.time.Instant.now();
        String withinSkew = ForgedTokens.sign(oldKey, ForgedTokens.claims("bob", now.minusSeconds(100), now.minusSeconds(100), now.minusSeconds(10)));
        String beyondSkew = ForgedTokens.sign(oldKey, ForgedTokens.claims("bob", now.minusSeconds(100), now.minusSeconds(100), now.minusSeconds(60)));
        assertThat(decoder(keys).decode(withinSkew).getSubject()).isEqualTo("bob");
        assertThatThrownBy(() -> decoder(keys).decode(beyondSkew)).isInstanceOf(JwtException.class);
    }
}
