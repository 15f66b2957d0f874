package io.parley.server.token;

import java.util.Map;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /.well-known/jwks.json}: the public halves of {@link SigningKeys}, so that other
 * services can check Parley's access tokens (and cannot mint them). Cacheable for five minutes.
 */
@RestController
class JwksController {

    static final String PATH = "/.well-known/jwks.json";

    private final Map<String, Object> publicSet;

    JwksController(SigningKeys keys) {
        this.publicSet = keys.publicSet().toJSONObject(true);
    }

    @GetMapping(value = PATH, produces = {"application/jwk-set+json", MediaType.APPLICATION_JSON_VALUE})
    ResponseEntity<Map<String, Object>> jwks() {
        return ResponseEntity.ok().cacheControl(CacheControl.maxAge(java.time.Duration.ofMinutes(5))).body(publicSet);
    }
}
