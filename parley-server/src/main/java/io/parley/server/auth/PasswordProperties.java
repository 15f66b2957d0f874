package io.parley.server.auth;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How passwords are checked at signup and hashed ({@code parley.passwords.*}). Immutable; validated
 * at construction.
 *
 * @param bcryptCost BCrypt's cost (log2 of its rounds) for new hashes (default 10, at least 10,
 *        at most 31; each step doubles the time of a hash and of a login). A stored hash keeps the
 *        cost it was made with, which its {@code $2a$NN$} prefix records, so raising the cost
 *        applies to passwords set from then on
 * @param minLength fewest characters of a new password (default 8, as NIST SP 800-63B asks when
 *        there is no second factor; 8 to 72). The most is BCrypt's: 72 bytes of UTF-8
 */
@ConfigurationProperties("parley.passwords")
public record PasswordProperties(@DefaultValue("10") int bcryptCost, @DefaultValue("8") int minLength) {

    public PasswordProperties {
        if (bcryptCost < 10 || bcryptCost > 31) {
            throw new IllegalArgumentException("parley.passwords.bcrypt-cost must be 10 to 31, got " + bcryptCost);
        }
        if (minLength < 8 || minLength > PasswordPolicy.MAX_BYTES) {
            throw new IllegalArgumentException("parley.passwords.min-length must be 8 to " + PasswordPolicy.MAX_BYTES + ", got " + minLength);
        }
    }
}
