package io.parley.client;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A transition of a {@link ParleyClient}, given to state listeners.
 *
 * @param state the new state
 * @param closeCode the WebSocket close code that caused it ({@code 1006} for a transport failure
 *        or an abort), or {@code null} when no connection closed
 * @param reason a short human-readable reason, empty when there is none
 * @param cause the failure behind it, if any (a {@link HandshakeRejectedException}, an
 *        {@code IOException}, a timeout)
 * @param retryIn for {@link ConnectionState#RECONNECTING}, the delay before the next attempt;
 *        otherwise {@code null}
 */
public record StateChange(ConnectionState state, @Nullable Integer closeCode, String reason,
        @Nullable Throwable cause, @Nullable Duration retryIn) {

    static StateChange of(ConnectionState state) {
        return new StateChange(state, null, "", null, null);
    }
}
