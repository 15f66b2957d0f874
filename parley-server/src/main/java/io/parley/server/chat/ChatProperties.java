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
 *        this interval (default 1s); the others are ignored
 */
@ConfigurationProperties("parley.chat")
public record ChatProperties(
        @DefaultValue("1000") int maxReplay,
        @DefaultValue("500") int replayPage,
        @DefaultValue("1s") Duration typingInterval) {

    public ChatProperties {
        if (maxReplay < 1 || replayPage < 1) {
            throw new IllegalArgumentException("parley.chat.max-replay and replay-page must be >= 1");
        }
    }
}
