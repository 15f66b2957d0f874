package io.parley.server.token;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.stereotype.Component;

/**
 * Mints access tokens: ES256 JWTs signed with {@link SigningKeys#signing()}, header {@code kid}, claims
 * {@code iss}, {@code sub} (the user name), {@code iat}, {@code nbf} (= iat), {@code exp} (iat +
 * {@code parley.tokens.access-lifetime}), {@code jti} (random) and {@code fam}, the refresh-token
 * family the token was issued for (the token analogue of a session id: revoking the family closes the
 * sockets opened with its tokens). Nothing else: any node checks a token with the public keys alone.
 * Thread-safe.
 */
@Component
public class AccessTokens {

    /** The claim naming the refresh-token family of an access token. */
    public static final String FAMILY_CLAIM = "fam";

    private final JwtEncoder encoder;
    private final SigningKeys keys;
    private final TokenProperties properties;
    private final Clock clock = Clock.systemUTC();

    AccessTokens(JwtEncoder encoder, SigningKeys keys, TokenProperties properties) {
        this.encoder = encoder;
        this.keys = keys;
        this.properties = properties;
    }

    /** A new access token for {@code user}, issued within refresh-token family {@code family}. */
    public Jwt issue(String user, String family) {
        Instant now = clock.instant();
        JwtClaimsSet claims = JwtClaimsSet.builder()
                .issuer(properties.issuer())
                .subject(user)
                .issuedAt(now)
                .notBefore(now)
                .expiresAt(now.plus(properties.accessLifetime()))
                .id(UUID.randomUUID().toString())
                .claim(FAMILY_CLAIM, family)
                .build();
        JwsHeader header = JwsHeader.with(SignatureAlgorithm.ES256).keyId(keys.signing().getKeyID()).type("JWT").build();
        return encoder.encode(JwtEncoderParameters.from(header, claims));
    }
}
