package io.parley.server.history;

import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.parley.server.history.AppendRequest.MessageKey;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;

/**
 * Commits a batch of appends in one transaction; the SQL behind {@link JdbcMessageLog}'s
 * guarantees (its class Javadoc explains the strategy). Stateless apart from a cache of statement
 * texts; thread-safe, and safe to run on several nodes against one database.
 */
final class JdbcBatchWriter implements BatchWriter {

    private static final String LOCK_ROOMS = "SELECT name, last_seq FROM rooms WHERE name IN (%s) ORDER BY name FOR UPDATE";

    static final String CREATE_ROOM = "INSERT INTO rooms (name, last_seq) VALUES (?, 0) ON CONFLICT DO NOTHING";

    static final String ADVANCE_ROOM = "UPDATE rooms SET last_seq = ? WHERE name = ?";

    static final String INSERT_MESSAGE = "INSERT INTO messages (" + MessageRows.COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)";

    private static final String FIND_ORIGINALS = "SELECT " + MessageRows.COLUMNS
            + " FROM messages WHERE (room, sender, client_msg_id) IN (%s)";

    private final JdbcTemplate jdbc;
    private final PlatformTransactionManager transactionManager;
    private final TransactionDefinition definition;
    private final Clock clock;

    /** Statement texts by number of rooms or keys; those numbers are rounded up to a power of two. */
    private final Map<Integer, String> lockRoomsSql = new ConcurrentHashMap<>();
    private final Map<Integer, String> findOriginalsSql = new ConcurrentHashMap<>();

    JdbcBatchWriter(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, TransactionDefinition definition,
            Clock clock) {
        this.jdbc = jdbc;
        this.transactionManager = transactionManager;
        this.definition = definition;
        this.clock = clock;
    }

    @Override
    public List<Appended> write(List<AppendRequest> batch) {
        try {
            return inTransaction(batch);
        }
        catch (MissingRooms missing) {
            // The first append of a room: create its head, committed on its own, then start over.
            // Rooms are never deleted, so the second attempt finds them all.
            jdbc.batchUpdate(CREATE_ROOM, missing.rooms.stream().map(room -> new Object[] { room }).toList());
            return inTransaction(batch);
        }
    }

    /**
     * {@code TransactionTemplate.execute}, without its ERROR log when the rollback fails too: with a
     * broken connection it always does, and the committer reports the failure once per outage.
     */
    private List<Appended> inTransaction(List<AppendRequest> batch) {
        TransactionStatus status = transactionManager.getTransaction(definition);
        List<Appended> results;
        try {
            results = writeInTransaction(batch);
        }
        catch (RuntimeException | Error ex) {
            try {
                transactionManager.rollback(status);
            }
            catch (RuntimeException rollbackFailure) {
                ex.addSuppressed(rollbackFailure);
            }
            throw ex;
        }
        transactionManager.commit(status);
        return results;
    }

    private List<Appended> writeInTransaction(List<AppendRequest> batch) {
        Instant now = MessageRows.storable(clock.instant());
        Map<String, Long> lockedSeqs = lockRooms(batch);
        // Under the locks no other transaction can add a message to these rooms, so this check is final.
        Map<MessageKey, StoredMessage> known = findOriginals(batch);
        Map<String, Long> nextSeqs = new HashMap<>(lockedSeqs);
        List<StoredMessage> inserts = new ArrayList<>(batch.size());
        List<Appended> results = new ArrayList<>(batch.size());
        for (AppendRequest request : batch) {
            StoredMessage original = known.get(request.key());
            if (original != null) {
                results.add(new Appended(original, true));
                continue;
            }
            long seq = nextSeqs.merge(request.room, 1L, Long::sum);
            StoredMessage message = new StoredMessage(request.room, seq, request.sender, request.text, now,
                    request.clientMsgId);
            known.put(request.key(), message); // a second copy later in this batch is a retry of this one
            inserts.add(message);
            results.add(new Appended(message, false));
        }
        List<Object[]> advanced = new ArrayList<>();
        nextSeqs.forEach((room, seq) -> {
            if (!seq.equals(lockedSeqs.get(room))) {
                advanced.add(new Object[] { seq, room });
            }
        });
        if (!advanced.isEmpty()) {
            jdbc.batchUpdate(ADVANCE_ROOM, advanced);
            jdbc.batchUpdate(INSERT_MESSAGE, inserts, inserts.size(), MessageRows::bind);
        }
        return results;
    }

    /**
     * Locks the heads of the batch's rooms in one statement and returns their last sequences. The
     * rows are locked in the order the statement returns them, sorted by name, so all writers lock
     * in one global order and never deadlock each other. Throws {@link MissingRooms}, which rolls
     * the transaction back, when a room has no head yet.
     */
    private Map<String, Long> lockRooms(List<AppendRequest> batch) {
        Set<String> rooms = new TreeSet<>();
        for (AppendRequest request : batch) {
            rooms.add(request.room);
        }
        List<String> padded = padded(rooms);
        String sql = lockRoomsSql.computeIfAbsent(padded.size(), size -> String.format(LOCK_ROOMS, placeholders(size, "?")));
        Map<String, Long> lastSeqs = new HashMap<>();
        jdbc.query(sql, ps -> {
            for (int i = 0; i < padded.size(); i++) {
                ps.setString(i + 1, padded.get(i));
            }
        }, (ResultSet rs) -> {
            lastSeqs.put(rs.getString(1), rs.getLong(2));
        });
        if (lastSeqs.size() < rooms.size()) {
            rooms.removeAll(lastSeqs.keySet());
            throw new MissingRooms(rooms);
        }
        return lastSeqs;
    }

    /** The stored messages that share a {@code (room, sender, clientMsgId)} with a request of the batch. */
    private Map<MessageKey, StoredMessage> findOriginals(List<AppendRequest> batch) {
        Set<MessageKey> keys = new LinkedHashSet<>();
        for (AppendRequest request : batch) {
            keys.add(request.key());
        }
        List<MessageKey> padded = padded(keys);
        String sql = findOriginalsSql.computeIfAbsent(padded.size(),
                size -> String.format(FIND_ORIGINALS, placeholders(size, "(?, ?, ?)")));
        List<StoredMessage> originals = jdbc.query(sql, ps -> {
            int i = 1;
            for (MessageKey key : padded) {
                ps.setString(i++, key.room());
                ps.setString(i++, key.sender());
                ps.setObject(i++, key.clientMsgId());
            }
        }, MessageRows.MAPPER);
        Map<MessageKey, StoredMessage> found = new HashMap<>();
        for (StoredMessage original : originals) {
            found.put(new MessageKey(original.room(), original.sender(), original.clientMsgId()), original);
        }
        return found;
    }

    /**
     * {@code values} as a list whose size is the next power of two, filled up with the last value:
     * an {@code IN} list that repeats a value means the same, and the database sees few statement
     * texts, so it can keep them prepared.
     */
    private static <T> List<T> padded(Set<T> values) {
        List<T> padded = new ArrayList<>(values);
        int size = Math.max(1, Integer.highestOneBit(padded.size() - 1) << 1);
        T last = padded.get(padded.size() - 1);
        while (padded.size() < size) {
            padded.add(last);
        }
        return padded;
    }

    private static String placeholders(int count, String each) {
        return String.join(", ", Collections.nCopies(count, each));
    }

    /** Some rooms of the batch have no head row yet; thrown to roll the transaction back. */
    private static final class MissingRooms extends RuntimeException {

        final Set<String> rooms;

        MissingRooms(Set<String> rooms) {
            super("rooms without a head: " + rooms, null, false, false);
            this.rooms = rooms;
        }
    }
}
