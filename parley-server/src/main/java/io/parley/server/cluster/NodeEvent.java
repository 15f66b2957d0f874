package io.parley.server.cluster;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * An event for one node, sent on that node's channel with {@link Bus#send}: things that concern a
 * user's connections rather than a room, published only to the nodes that hold that user's
 * connections (see {@link Registry#nodesOf}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = NodeEvent.SessionEnded.class, name = "session-ended")})
public sealed interface NodeEvent {

    /** The HTTP session {@code httpSessionId} of {@code user} ended (logout): close its connections with 1008. */
    record SessionEnded(String user, String httpSessionId) implements NodeEvent {
    }
}
