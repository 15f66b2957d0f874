package io.parley.client;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.Protocol;
import io.parley.protocol.ServerFrame.Message;
import org.jspecify.annotations.Nullable;

/**
 * The delivery order of one room: hands on each sequence at most once, in increasing order, and
 * plans the {@code history} requests that fill holes.
 *
 * <p>Rules:
 * <ul>
 * <li>A message at or below the last delivered sequence is a duplicate (a replay after a
 * reconnect overlapping what live delivery already gave) and is dropped.</li>
 * <li>The next sequence is delivered at once, followed by any held messages that now follow on.</li>
 * <li>A message further ahead is held, and the hole before it is to be filled from history. So is
 * the range of a {@code gap} frame. One fill request is in flight per room at a time, at most
 * {@link Protocol#MAX_HISTORY_LIMIT} messages, oldest page first, so filled messages are delivered
 * in order before the held ones.</li>
 * <li>Sequences are gapless per room; a sequence that a fill page does not contain does not exist,
 * and is skipped rather than waited for.</li>
 * </ul>
 *
 * <p>Confined to the client's event loop, except {@link #delivered()}, which any thread may read.
 */
final class RoomSequencer {

    /** {@link #delivered()} before the first {@code joined} of a room joined without {@code since}. */
    static final long UNKNOWN = -1;

    private final String room;
    private volatile long delivered;
    private final TreeMap<Long, Message> ahead = new TreeMap<>();
    /** The highest sequence known to be missing; a fill is wanted while it is above {@link #delivered}. */
    private long fillTarget;
    /** The highest sequence the fill request in flight asks for; 0 when none is in flight. */
    private long fillingUpTo;

    /** @param since the last sequence the caller already has, or {@link #UNKNOWN} */
    RoomSequencer(String room, long since) {
        this.room = room;
        this.delivered = since;
    }

    String room() {
        return room;
    }

    /** The last sequence delivered, {@link #UNKNOWN} if none and the room's position is not known yet. */
    long delivered() {
        return delivered;
    }

    /** The {@code since} to join with: the last delivered sequence, or null (no replay) if unknown. */
    @Nullable Long since() {
        return delivered == UNKNOWN ? null : delivered;
    }

    /** A room joined without {@code since} starts after the room's last sequence at the time of joining. */
    void onJoined(long lastSeq) {
        if (delivered == UNKNOWN) {
            delivered = lastSeq;
        }
    }

    /** The messages now deliverable, in order: possibly none, possibly {@code m} and held ones after it. */
    List<Message> onMessage(Message m) {
        if (delivered == UNKNOWN) {
            delivered = m.seq() - 1;
        }
        if (m.seq() <= delivered) {
            return List.of();
        }
        ahead.putIfAbsent(m.seq(), m);
        List<Message> out = new ArrayList<>(1);
        drain(out);
        return out;
    }

    /** Messages {@code from}..{@code to} will not come live: fill them from history. */
    void onGap(long from, long to) {
        if (delivered == UNKNOWN) {
            delivered = from - 1;
        }
        fillTarget = Math.max(fillTarget, to);
    }

    /**
     * The next fill request to send, or null when no hole is left or one request is in flight
     * already. Marks the request as in flight.
     */
    ClientFrame.@Nullable History nextFill() {
        if (fillingUpTo != 0 || fillTarget <= delivered) {
            return null;
        }
        long from = delivered + 1;
        long to = Math.min(fillTarget, from + Protocol.MAX_HISTORY_LIMIT - 1);
        fillingUpTo = to;
        return new ClientFrame.History(room, to + 1, (int) (to - from + 1));
    }

    /** The answer to the fill request in flight: returns what is now deliverable, in order. */
    List<Message> onFill(List<Message> page) {
        long upTo = fillingUpTo;
        fillingUpTo = 0;
        List<Message> out = new ArrayList<>(page.size());
        page.stream().sorted(Comparator.comparingLong(Message::seq)).forEach(m -> {
            if (m.seq() > delivered && m.seq() <= upTo) {
                delivered = m.seq();
                out.add(m);
            }
        });
        if (upTo > delivered) {
            delivered = upTo; // gapless sequences: what the page lacks does not exist
        }
        drain(out);
        return out;
    }

    /**
     * Forgets held messages and fills in flight: the connection is gone, and the re-join with
     * {@code since} = {@link #delivered()} replays everything after it.
     */
    void reset() {
        ahead.clear();
        fillTarget = 0;
        fillingUpTo = 0;
    }

    /** How many messages are held waiting for a fill. */
    int held() {
        return ahead.size();
    }

    private void drain(List<Message> out) {
        while (!ahead.isEmpty()) {
            Map.Entry<Long, Message> first = ahead.firstEntry();
            long seq = first.getKey();
            if (seq <= delivered) {
                ahead.pollFirstEntry();
            } else if (seq == delivered + 1) {
                ahead.pollFirstEntry();
                delivered = seq;
                out.add(first.getValue());
            } else {
                fillTarget = Math.max(fillTarget, seq - 1);
                return;
            }
        }
    }
}
