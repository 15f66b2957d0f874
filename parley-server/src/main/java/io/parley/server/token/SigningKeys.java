package io.parley.server.token;

import java.text.ParseException;
import java.util.List;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

/**
 * The key pairs of this cluster: ES256 (EC P-256), each with a key id. The first one signs new
 * tokens; all of them verify, so that during a rollover tokens signed by the previous key stay
 * valid until they expire. Immutable and thread-safe.
 */
public final class SigningKeys {

    private final List<ECKey> keys;

    SigningKeys(List<ECKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no signing key");
        }
        for (ECKey key : keys) {
            if (key.getKeyID() == null || key.getKeyID().isBlank()) {
                throw new IllegalArgumentException("every signing key needs a kid");
            }
            if (!Curve.P_256.equals(key.getCurve()) || !key.isPrivate()) {
                throw new IllegalArgumentException("key " + key.getKeyID() + " must be a private EC P-256 key (ES256)");
            }
        }
        this.keys = List.copyOf(keys);
    }

    /** Parses a JWK set (JSON) of private EC P-256 keys; {@link IllegalArgumentException} when it is not one. */
    static SigningKeys parse(String jwkSetJson) {
        try {
            List<JWK> jwks = JWKSet.parse(jwkSetJson).getKeys();
            return new SigningKeys(jwks.stream().map(jwk -> {
                if (!(jwk instanceof ECKey ec)) {
                    throw new IllegalArgumentException("key " + jwk.getKeyID() + " is not an EC key");
                }
                return ec;
            }).toList());
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a JWK set: " + e.getMessage());
        }
    }

    /** The key that signs new tokens. */
    public ECKey signing() {
        return keys.get(0);
    }

    /** Every key, private parts included: for signing and verifying on this node only. */
    JWKSet privateSet() {
        return new JWKSet(List.copyOf(keys));
    }

    /** The public halves of every key, as published at the JWKS endpoint. */
    public JWKSet publicSet() {
        return privateSet().toPublicJWKSet();
    }

    @Override
    public String toString() {
        return "SigningKeys" + keys.stream().map(ECKey::getKeyID).toList();
    }
}
