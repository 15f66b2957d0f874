package io.parley.server.history;

import java.time.Instant;
import java.util.UUID;

/** A committed room message: {@code seq} is its position in the room's gapless log, starting at 1. */
public record StoredMessage(String room, long seq, String sender, String text, Instant ts, UUID clientMsgId) {
}
