package io.parley.server.token;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

/**
 * Access tokens a node must refuse, made with Nimbus directly: the node's own key with bad times,
 * another key under the node's key id, a changed payload, {@code alg: none}, HS256.
 */
final class ForgedTokens {

    private final ECKey nodeKey;

    ForgedTokens(ECKey nodeKey) {
        this.nodeKey = nodeKey;
    }

    static JWTClaimsSet claims(String user, Instant issuedAt, Instant notBefore, Instant expiresAt) {
        return new JWTClaimsSet.Builder()
                .issuer("parley")
                .subject(user)
                .issueTime(Date.from(issuedAt))
                .notBeforeTime(Date.from(notBefore))
                .expirationTime(Date.from(expiresAt))
                .jwtID(UUID.randomUUID().toString())
                .claim(AccessTokens.FAMILY_CLAIM, UUID.randomUUID().toString())
                .build();
    }

    static JWTClaimsSet valid(String user) {
        Instant now = Instant.now();
        return claims(user, now, now, now.plus(Duration.ofMinutes(5)));
    }

    static String sign(ECKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signed by the node's key, valid in every way: the control. */
    String good(String user) {
        return sign(nodeKey, valid(user));
    }

    /** Expired ten minutes ago, well beyond the clock skew. */
    String expired(String user) {
        Instant now = Instant.now();
        return sign(nodeKey, claims(user, now.minus(Duration.ofMinutes(20)), now.minus(Duration.ofMinutes(20)), now.minus(Duration.ofMinutes(10))));
    }

    /** Valid only from ten minutes from now. */
    String notYetValid(String user) {
        Instant now = Instant.now();
        return sign(nodeKey, claims(user, now, now.plus(Duration.ofMinutes(10)), now.plus(Duration.ofMinutes(20))));
    }

    /** Signed by a key the node never had, under the node's key id. */
    String wrongKey(String user) {
        ECKey impostor = StoredSigningKeys.generate();
        return sign(new ECKey.Builder(impostor).keyID(nodeKey.getKeyID()).build(), valid(user));
    }

    /** A good token of {@code user} whose payload now names {@code other}; the signature is the original's. */
    String tampered(String user, String other) {
        String[] parts = good(user).split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]));
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.replace("\"" + user + "\"", "\"" + other + "\"").getBytes());
        return parts[0] + "." + forged + "." + parts[2];
    }

    /** Unsigned ({@code alg: none}) with good claims. */
    String unsigned(String user) {
        return new PlainJWT(valid(user)).serialize();
    }

    /** HS256 with a secret of the forger's choosing. */
    String hmac(String user) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(nodeKey.getKeyID()).build(), valid(user));
            jwt.sign(new MACSigner("an attacker's secret of thirty-two bytes or more!"));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
