package io.parley.server.auth;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the HTTP sessions behind open WebSockets are followed ({@code parley.session.*}); the
 * session timeout itself is Spring's {@code spring.session.timeout}. Immutable; validated at
 * construction.
 *
 * @param checkInterval how often each node looks up the HTTP session of every socket it holds:
 * a session gone from the store (expired, or deleted) closes its sockets with 1008, and a session
 * whose sockets received a frame since the last check is touched, so that a user who chats over the
 * socket alone stays logged in. Also the bound on how late an expiry is noticed when the store's own
 * expiry event is lost. One session look-up per distinct session per interval. Default 30 s.
 */
@ConfigurationProperties("parley.session")
public record SessionProperties(@DefaultValue("30s") Duration checkInterval) {

    public SessionProperties {
        if (checkInterval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("parley.session.check-interval must be at least 100ms, got " + checkInterval);
        }
    }
}
