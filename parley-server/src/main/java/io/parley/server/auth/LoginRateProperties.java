package io.parley.server.auth;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The limit on password attempts per client address ({@code parley.login.*}): every {@code POST} to
 * {@code /api/login}, {@code /api/signup} and {@code /api/tokens} takes a token from its address's
 * bucket; an empty bucket answers 429 with {@code Retry-After} before the password is looked at.
 * Immutable; validated at construction.
 *
 * @param attempts attempts an address regains per {@code period} (default 10)
 * @param period see {@code attempts} (default 1 minute)
 * @param burst attempts an address may make at once, before the rate applies (default 10)
 * @param maxAddresses addresses tracked at once (default 100,000, a few MB); past that, addresses that
 *        regained their whole burst are forgotten, and if none has, the new ones share one bucket
 */
@ConfigurationProperties("parley.login")
public record LoginRateProperties(
        @DefaultValue("10") int attempts,
        @DefaultValue("1m") Duration period,
        @DefaultValue("10") int burst,
        @DefaultValue("100000") int maxAddresses) {

    public LoginRateProperties {
        if (attempts < 1 || burst < 1 || maxAddresses < 1) {
            throw new IllegalArgumentException("parley.login.attempts, burst and max-addresses must be >= 1");
        }
        if (period.toMillis() < 1) {
            throw new IllegalArgumentException("parley.login.period must be positive, got " + period);
        }
    }

    /** Attempts regained per second. */
    double perSecond() {
        return attempts * 1000.0 / period.toMillis();
    }
}
