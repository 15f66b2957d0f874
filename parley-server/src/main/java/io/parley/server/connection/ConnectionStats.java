package io.parley.server.connection;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import io.parley.protocol.CloseCodes;

/**
 * The counters of this node's sockets, in one place: closes by close code, inbound frames, and the
 * {@link Heartbeats}' pings and timeouts. The handler and the heartbeats update it; the metrics
 * ({@code ops}) only read it. Thread-safe; updates are lock-free and never look anything up by
 * name: a close code is counted through a {@code switch} into a fixed array.
 */
public final class ConnectionStats {

    /**
     * The close codes counted one by one: Parley's catalogue ({@link CloseCodes}) and the codes the
     * container or a client may report (1002, 1003, 1005 no status, 1006 no close frame, 1007). Any
     * other code is counted as {@link #OTHER}, so a client cannot create a series per code it makes up.
     */
    public static final List<Integer> CODES = List.of(CloseCodes.NORMAL, CloseCodes.GOING_AWAY, 1002, 1003, 1005, 1006,
            1007, CloseCodes.POLICY_VIOLATION, CloseCodes.TOO_BIG, CloseCodes.SERVER_ERROR, CloseCodes.SERVICE_RESTART,
            CloseCodes.TRY_AGAIN_LATER, CloseCodes.IDLE_TIMEOUT, CloseCodes.TOKEN_EXPIRED, CloseCodes.SESSION_NOT_RELIABLE);

    /** The stand-in for a close code outside {@link #CODES}. */
    public static final int OTHER = 0;

    private final LongAdder[] closed = new LongAdder[CODES.size() + 1]; // the last one: OTHER
    private final LongAdder framesIn = new LongAdder();
    private final LongAdder pings = new LongAdder();
    private final LongAdder pongTimeouts = new LongAdder();
    private final LongAdder firstFrameTimeouts = new LongAdder();

    ConnectionStats() {
        for (int i = 0; i < closed.length; i++) {
            closed[i] = new LongAdder();
        }
    }

    private static int slot(int code) {
        return switch (code) {
            case CloseCodes.NORMAL -> 0;
            case CloseCodes.GOING_AWAY -> 1;
            case 1002 -> 2;
            case 1003 -> 3;
            case 1005 -> 4;
            case 1006 -> 5;
            case 1007 -> 6;
            case CloseCodes.POLICY_VIOLATION -> 7;
            case CloseCodes.TOO_BIG -> 8;
            case CloseCodes.SERVER_ERROR -> 9;
            case CloseCodes.SERVICE_RESTART -> 10;
            case CloseCodes.TRY_AGAIN_LATER -> 11;
            case CloseCodes.IDLE_TIMEOUT -> 12;
            case CloseCodes.TOKEN_EXPIRED -> 13;
            case CloseCodes.SESSION_NOT_RELIABLE -> 14;
            default -> 15;
        };
    }

    static {
        for (int i = 0; i < CODES.size(); i++) {
            if (slot(CODES.get(i)) != i) {
                throw new IllegalStateException("ConnectionStats.slot disagrees with CODES at " + CODES.get(i));
            }
        }
    }

    /**
     * Sockets closed with {@code code} since start, as the server saw the close: its own code when it
     * closed, the client's when the client did, 1006 when the connection ended without a close frame.
     * {@link #OTHER} (or any code outside {@link #CODES}) gives the count of all other codes.
     */
    public long closed(int code) {
        return closed[code == OTHER ? CODES.size() : slot(code)].sum();
    }

    /** Text frames received (whole messages, before rate limiting and validation) since start. */
    public long framesIn() {
        return framesIn.sum();
    }

    /** WebSocket pings the heartbeats asked the outbound queues to send since start. */
    public long pings() {
        return pings.sum();
    }

    /** Sockets closed with 4000 because no answer followed a ping within the pong timeout. */
    public long pongTimeouts() {
        return pongTimeouts.sum();
    }

    /** Sockets closed with 4000 because no frame arrived within the first-frame timeout. */
    public long firstFrameTimeouts() {
        return firstFrameTimeouts.sum();
    }

    void closedWith(int code) {
        closed[slot(code)].increment();
    }

    void frameIn() {
        framesIn.increment();
    }

    void pinged() {
        pings.increment();
    }

    void pongTimedOut() {
        pongTimeouts.increment();
    }

    void firstFrameTimedOut() {
        firstFrameTimeouts.increment();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("ConnectionStats[framesIn=").append(framesIn())
                .append(", pings=").append(pings())
                .append(", pongTimeouts=").append(pongTimeouts())
                .append(", firstFrameTimeouts=").append(firstFrameTimeouts())
                .append(", closed={");
        String separator = "";
        for (int i = 0; i <= CODES.size(); i++) {
            long count = closed[i].sum();
            if (count > 0) {
                out.append(separator).append(i < CODES.size() ? CODES.get(i).toString() : "other").append('=').append(count);
                separator = ", ";
            }
        }
        return out.append("}]").toString();
    }
}
