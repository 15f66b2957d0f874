package io.parley.server.auth;

import java.nio.charset.StandardCharsets;

import io.parley.server.web.ApiException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * What a new password must be (checked at signup, after {@link Credentials}' own 8..128 characters):
 * at least {@code parley.passwords.min-length} characters, at most {@value #MAX_BYTES} bytes of UTF-8
 * (BCrypt reads no further, and Spring Security's encoder refuses longer input), not the username,
 * and not one of the {@link CommonPasswords}. No composition rules (a digit, a capital), as NIST SP
 * 800-63B advises. A refusal is a 400 {@code bad_request} whose message says which rule failed.
 * Thread-safe.
 */
@Component
class PasswordPolicy {

    /** BCrypt's limit on its input. */
    static final int MAX_BYTES = 72;

    private final int minLength;
    private final CommonPasswords common;

    @Autowired
    PasswordPolicy(PasswordProperties properties) {
        this(properties, CommonPasswords.load());
    }

    PasswordPolicy(PasswordProperties properties, CommonPasswords common) {
        this.minLength = properties.minLength();
        this.common = common;
    }

    /** Returns normally when {@code password} may be the new password of {@code username}; otherwise throws a 400. */
    void check(String username, String password) {
        if (password.codePointCount(0, password.length()) < minLength) {
            throw refused("password must be at least " + minLength + " characters");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw refused("password must be at most " + MAX_BYTES + " bytes in UTF-8 (72 ASCII characters, fewer with accents or emoji)");
        }
        if (password.equalsIgnoreCase(username)) {
            throw refused("password must not be the username");
        }
        if (common.contains(password)) {
            throw refused("this password is too common");
        }
    }

    private static ApiException refused(String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "bad_request", message);
    }
}
