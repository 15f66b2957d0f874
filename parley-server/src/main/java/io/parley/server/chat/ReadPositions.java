package io.parley.server.chat;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code read_positions} table: how far each user has read each room. A position only moves
 * forward, also when two nodes write it at once ({@code GREATEST} in one statement). Callers clamp
 * it to the room's head. Thread-safe.
 *
 * <p>{@link #advanceLater} is for the sender's own messages: it coalesces per user and room and
 * writes on one background thread, so a send's commit callback never waits on this table.
 */
@Repository
public class ReadPositions implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ReadPositions.class);

    private final JdbcClient jdbc;
    private final Map<Key, Long> pending = new ConcurrentHashMap<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "parley-read-positions");
        thread.setDaemon(true);
        return thread;
    });

    private record Key(String user, String room) {
    }

    public ReadPositions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Moves {@code user}'s position in {@code room} up to {@code seq} unless it is already there or beyond; returns the stored position. */
    public long advance(String user, String room, long seq) {
        store(user, room, seq);
        return get(user, room);
    }

    /** {@link #advance} without reading the result back. */
    private void store(String user, String room, long seq) {
        if (update(user, room, seq) == 0) {
            try {
                jdbc.sql("INSERT INTO read_positions (username, room, read_seq) VALUES (?, ?, ?)")
                        .params(user, room, seq).update();
            } catch (DuplicateKeyException raced) {
                update(user, room, seq);
            }
        }
    }

    private int update(String user, String room, long seq) {
        return jdbc.sql("UPDATE read_positions SET read_seq = GREATEST(read_seq, ?), updated_at = CURRENT_TIMESTAMP "
                + "WHERE username = ? AND room = ?").params(seq, user, room).update();
    }

    /**
     * {@link #advance} on a background thread, coalesced: never blocks. One write is scheduled per
     * user and room while none is waiting; later calls only raise the position it will write. A
     * position not yet written when the node stops is lost.
     */
    public void advanceLater(String user, String room, long seq) {
        Key key = new Key(user, room);
        boolean[] schedule = {false};
        pending.compute(key, (k, waiting) -> {
            if (waiting == null) {
                schedule[0] = true;
                return seq;
            }
            return Math.max(waiting, seq);
        });
        if (schedule[0]) {
            writer.execute(() -> {
                Long latest = pending.remove(key);
                if (latest == null) {
                    return;
                }
                try {
                    store(user, room, latest);
                } catch (RuntimeException e) {
                    log.warn("Read position of {} in {} not stored: {}", user, room, e.toString());
                }
            });
        }
    }

    /** {@code user}'s position in {@code room}; 0 when none is stored. */
    public long get(String user, String room) {
        return jdbc.sql("SELECT read_seq FROM read_positions WHERE username = ? AND room = ?")
                .params(user, room).query(Long.class).optional().orElse(0L);
    }

    /** Every stored position of {@code user}, by room. */
    public Map<String, Long> ofUser(String user) {
        Map<String, Long> positions = new HashMap<>();
        jdbc.sql("SELECT room, read_seq FROM read_positions WHERE username = ?").param(user)
                .query(rs -> {
                    positions.put(rs.getString(1), rs.getLong(2));
                });
        return positions;
    }

    @Override
    public void destroy() {
        writer.shutdown();
    }
}
