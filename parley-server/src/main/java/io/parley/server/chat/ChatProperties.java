package io.parley.server.chat;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits of the chat commands.
 *
 * @param maxReplay most messages replayed on one {@code join} with {@code since} (default 1000); an
 *        older remainder is announced with one {@code gap} frame for the client to page with {@code history}
 * @param replayPage messages read from the log per query while replaying (default 500)
 * @param typingInterval a connection's {@code typing} frames for one room are relayed at most once per
 *        this interval (default 1s), which a {@code send} to the room restarts; the others are ignored
 * @param sendRate sustained {@code send} frames per second one user may make, across all connections
 *        and nodes (default 20); more are answered with {@code rate_limited} and not stored (see {@link UserSendLimits})
 * @param sendBurst {@code send} frames one user may make at once before the rate applies (default 40)
 * @param sendRateRefresh how often a node re-reads, while a user sends, how many nodes hold the user's
 *        connections, to take its share of the user's rate (default 2s)
 * @param presenceWindow how long a node gathers a room's presence changes before it sends its
 *        subscribers one {@code presence-delta} with all of them (default 250ms): a change is seen
 *        that much later, and a burst of N joins costs each member about (burst length / window) + 1
 *        frames instead of N. {@code 0} reads and sends at once (one delta per change); at most 10s
 */
@ConfigurationProperties("parley.chat")
public record ChatProperties(
        @DefaultValue("1000") int maxReplay,
        @DefaultValue("500") int replayPage,
        @DefaultValue("1s") Duration typingInterval,
        @DefaultValue("20") double sendRate,
        @DefaultValue("40") int sendBurst,
        @DefaultValue("2s") Duration sendRateRefresh,

        @DefaultValue("250ms") Duration presenceWindow) {

    public ChatProperties {
        if (maxReplay < 1 || replayPage < 1) {
            throw new IllegalArgumentException("parley.chat.max-replay and replay-page must be >= 1");
        }
        if (!(sendRate > 0) || sendBurst < 1) {
            throw new IllegalArgumentException("parley.chat.send-rate must be > 0 and send-burst >= 1");
        }
        if (sendRateRefresh.isNegative() || sendRateRefresh.isZero()) {
            throw new IllegalArgumentException("parley.chat.send-rate-refresh must be positive");
        }
        if (presenceWindow.isNegative() || presenceWindow.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("parley.chat.presence-window must be between 0 and 10s, got " + presenceWindow);
        }
    }
}
