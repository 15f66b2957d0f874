package io.parley.server.token;

import java.text.ParseException;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Signing keys kept in the database, for a cluster with no key configured: table {@code token_keys}
 * (kid, generation, private JWK as JSON). {@link #load()} returns every stored key, newest
 * generation first; on an empty table it generates an ES256 pair as generation 1. Nodes starting
 * together race on the unique generation: one insert wins, the others read the winner's key, so
 * every node of the cluster signs and verifies with the same key.
 *
 * <p>The private key is in the database in clear: whoever reads that table can mint tokens.
 * Deployments that do not accept that configure {@code parley.tokens.jwk-set} instead.
 */
final class StoredSigningKeys {

    private static final Logger log = LoggerFactory.getLogger(StoredSigningKeys.class);

    private final JdbcClient jdbc;

    StoredSigningKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    SigningKeys load() {
        List<ECKey> keys = stored();
        if (keys.isEmpty()) {
            ECKey generated = generate();
            try {
                jdbc.sql("INSERT INTO token_keys (kid, generation, jwk) VALUES (?, 1, ?)")
                        .params(generated.getKeyID(), generated.toJSONString())
                        .update();
                log.info("Generated signing key {} and stored it in the database", generated.getKeyID());
            } catch (DuplicateKeyException anotherNodeWon) {
                log.info("Another node stored the first signing key; using it");
            }
            keys = stored();
        }
        return new SigningKeys(keys);
    }

    private List<ECKey> stored() {
        return jdbc.sql("SELECT jwk FROM token_keys ORDER BY generation DESC")
                .query(String.class)
                .list()
                .stream()
                .map(StoredSigningKeys::parse)
                .toList();
    }

    static ECKey generate() {
        try {
            return new ECKeyGenerator(Curve.P_256)
                    .keyID(UUID.randomUUID().toString())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key", e);
        }
    }

    private static ECKey parse(String json) {
        try {
            return ECKey.parse(json);
        } catch (ParseException e) {
            throw new IllegalStateException("token_keys holds a row that is not an EC JWK", e);
        }
    }
}
