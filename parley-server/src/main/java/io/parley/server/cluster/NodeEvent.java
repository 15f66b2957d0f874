package io.parley.server.cluster;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.jspecify.annotations.Nullable;

/**
 * An event for one node, sent on that node's channel with {@link Bus#send}: things that concern a
 * user's connections rather than a room, published only to the nodes that hold that user's
 * connections (see {@link Registry#nodesOf}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = NodeEvent.SessionEnded.class, name = "session-ended"),
        @JsonSubTypes.Type(value = NodeEvent.UserFrame.class, name = "user-frame")})
public sealed interface NodeEvent {

    /** The HTTP session {@code httpSessionId} of {@code user} ended (logout): close its connections with 1008. */
    record SessionEnded(String user, String httpSessionId) implements NodeEvent {
    }

    /**
     * Send the protocol frame {@code json} (encoded once, by the sending node) to every connection
     * of {@code user} on this node except the connection {@code except} (a WebSocket session id).
     */
    record UserFrame(String user, String json, @Nullable String except) implements NodeEvent {
    }
}
