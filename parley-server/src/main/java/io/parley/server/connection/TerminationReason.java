package io.parley.server.connection;

/** Why an {@link OutboundQueue} closed its socket by itself; the {@code reason} tag of {@code parley.outbound.terminated}. */
public enum TerminationReason {

    /** A write did not complete within the send-time limit (or a graceful drain did not finish within it). Closed with 4500. */
    SEND_TIME_LIMIT("send_time_limit"),

    /** The buffer exceeded its limit under {@code TERMINATE}, or still did after {@code DROP}/{@code RESYNC} shed it. Closed with 4500. */
    BUFFER_LIMIT("buffer_limit"),

    /** The node-wide budget was exceeded and this queue, among the largest, uses {@code TERMINATE}. Closed with 4500. */
    NODE_BUDGET("node_budget"),

    /** A write failed: the connection is already broken. Closed with 1011. */
    WRITE_ERROR("write_error");

    private final String tag;

    TerminationReason(String tag) {
        this.tag = tag;
    }

    /** The metric tag value. */
    public String tag() {
        return tag;
    }
}
