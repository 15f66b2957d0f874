package io.parley.server.chat;

import java.security.Principal;
import java.util.List;
import java.util.Map;

import io.parley.protocol.BadFrame;
import io.parley.protocol.Protocol;
import io.parley.protocol.RoomName;
import io.parley.protocol.ServerFrame;
import io.parley.server.history.MessageLog;
import io.parley.server.web.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Rooms over HTTP, with the same authorization as the socket ({@link RoomAccess}): {@code GET
 * /api/rooms} (my rooms, their newest sequence, read position and unread count) and {@code GET
 * /api/rooms/{room}/messages?before=&after=&limit=}: 400 for a bad room name (a direct room with
 * oneself included), 403 for someone else's direct room, 404 for a direct room with a user who does
 * not exist. Reading never creates a room or a membership.
 */
@RestController
class RoomsController {

    private final Memberships memberships;
    private final MessageLog messageLog;
    private final RoomAccess access;
    private final ReadPositions readPositions;

    RoomsController(Memberships memberships, MessageLog messageLog, RoomAccess access, ReadPositions readPositions) {
        this.memberships = memberships;
        this.messageLog = messageLog;
        this.access = access;
        this.readPositions = readPositions;
    }

    /**
     * A room of mine: its newest sequence, how far I have read it, and how many messages are after
     * that ({@code lastSeq - readSeq}; my own messages advance my position, so they never count).
     */
    record RoomSummary(String room, long lastSeq, long readSeq, long unread) {
    }

    @GetMapping("/api/rooms")
    List<RoomSummary> rooms(Principal user) {
        Map<String, Long> read = readPositions.ofUser(user.getName());
        return memberships.roomsOf(user.getName()).stream()
                .map(room -> {
                    long lastSeq = messageLog.lastSeq(room);
                    long readSeq = Math.min(read.getOrDefault(room, 0L), lastSeq);
                    return new RoomSummary(room, lastSeq, readSeq, lastSeq - readSeq);
                })
                .toList();
    }

    /** Messages after {@code after} (ascending from it) or, without it, the newest before {@code before}. */
    @GetMapping("/api/rooms/{room}/messages")
    ServerFrame.History messages(@PathVariable String room, @RequestParam(required = false) @Nullable Long before,
            @RequestParam(required = false) @Nullable Long after, @RequestParam(defaultValue = "50") int limit, Principal user) {
        try {
            RoomName.check(room);
            access.checkRead(room, user.getName());
        } catch (BadFrame bad) {
            HttpStatus status = switch (bad.code()) {
                case FORBIDDEN -> HttpStatus.FORBIDDEN;
                case NOT_FOUND -> HttpStatus.NOT_FOUND;
                default -> HttpStatus.BAD_REQUEST;
            };
            throw new ApiException(status, bad.code().wire(), String.valueOf(bad.getMessage()));
        }
        if (limit < 1 || limit > Protocol.MAX_HISTORY_LIMIT) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", "limit must be 1.." + Protocol.MAX_HISTORY_LIMIT);
        }
        if ((before != null && before < 1) || (after != null && after < 0)) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", "before must be >= 1 and after >= 0");
        }
        var page = after != null ? messageLog.after(room, after, limit) : messageLog.before(room, before, limit);
        return new ServerFrame.History(room, page.stream().map(Messages::frame).toList());
    }
}
