package io.parley.server.history;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.parley.server.history.AppendRequest.MessageKey;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;

/**
 * Commits a batch of appends in one transaction; the SQL behind {@link JdbcMessageLog}'s
 * guarantees (its class Javadoc explains the strategy). Stateless apart from the database's dialect,
 * found on the first batch, and a cache of statement texts; thread-safe, and safe to run on several
 * nodes against one database.
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
    private final MessageLogMetrics metrics;

    /** Found on the first batch; {@link Optional#empty()} for a database without a first attempt. */
    private volatile @Nullable Optional<SqlDialect> dialect;

    /** Statement texts by number of rooms or keys; those numbers are rounded up to a power of two. */
    private final Map<Integer, String> lockRoomsSql = new ConcurrentHashMap<>();
    private final Map<Integer, String> findOriginalsSql = new ConcurrentHashMap<>();

    JdbcBatchWriter(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, TransactionDefinition definition,
            Clock clock, MessageLogMetrics metrics) {
        this.jdbc = jdbc;
        this.transactionManager = transactionManager;
        this.definition = definition;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public List<Appended> write(List<AppendRequest> batch) {
        try {
            return writeOnce(batch);
        }
        catch (MissingRooms missing) {
            // The first append of a room: create its head, committed on its own, then start over.
            // Rooms are never deleted, so the second attempt finds them all.
            jdbc.batchUpdate(CREATE_ROOM, missing.rooms.stream().map(room -> new Object[] { room }).toList());
            return writeOnce(batch);
        }
    }

    /**
     * The first attempt (advance, insert), and the look-up path if it met a stored retry: each in a
     * transaction of its own, the first rolled back when it gives way to the second.
     */
    private List<Appended> writeOnce(List<AppendRequest> batch) {
        Optional<SqlDialect> known = dialect;
        if (known == null || known.isPresent()) {
            try {
                return inTransaction(batch, this::advanceAndInsert);
            }
            catch (StoredRetry retry) {
                if (dialect != null && dialect.isPresent()) {
                    metrics.lookedUp();
                }
            }
        }
        return inTransaction(batch, this::lookUpAndWrite);
    }

    /**
     * {@code TransactionTemplate.execute}, without its ERROR log when the rollback fails too: with a
     * broken connection it always does, and the committer reports the failure once per outage.
     */
    private List<Appended> inTransaction(List<AppendRequest> batch, Function<List<AppendRequest>, List<Appended>> work) {
        TransactionStatus status = transactionManager.getTransaction(definition);
        List<Appended> results;
        try {
            results = work.apply(batch);
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

    /**
     * The first attempt, two statements: numbers the batch's new messages by advancing their rooms'
     * heads (which locks them), then inserts them unless stored already. Throws {@link StoredRetry}
     * (rolled back) if a message of the batch was stored before: then the heads were advanced for a
     * message that is not new, and the look-up path writes the batch instead.
     */
    private List<Appended> advanceAndInsert(List<AppendRequest> batch) {
        SqlDialect sql = dialect();
        if (sql == null) {
            throw new StoredRetry(); // not a database with a first attempt: the look-up path, from now on
        }
        Instant now = MessageRows.storable(clock.instant());
        // Retries within the batch are answered from the batch: only first copies are new.
        Map<MessageKey, Integer> firstCopies = new HashMap<>();
        Map<String, Long> newPerRoom = new TreeMap<>(); // ascending names: the lock order
        int[] originalOf = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            AppendRequest request = batch.get(i);
            Integer first = firstCopies.putIfAbsent(request.key(), i);
            originalOf[i] = (first != null) ? first : -1;
            if (first == null) {
                newPerRoom.merge(request.room, 1L, Long::sum);
            }
        }
        Map<String, Long> nextSeqs = advanceHeads(sql, newPerRoom);
        int count = firstCopies.size();
        String[] rooms = new String[count];
        Long[] seqs = new Long[count];
        String[] senders = new String[count];
        String[] texts = new String[count];
        UUID[] ids = new UUID[count];
        List<Appended> results = new ArrayList<>(batch.size());
        int row = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (originalOf[i] >= 0) {
                results.add(new Appended(results.get(originalOf[i]).message(), true));
                continue;
            }
            AppendRequest request = batch.get(i);
            long seq = nextSeqs.merge(request.room, 1L, Long::sum) - 1;
            results.add(new Appended(new StoredMessage(request.room, seq, request.sender, request.text, now,
                    request.clientMsgId), false));
            rooms[row] = request.room;
            seqs[row] = seq;
            senders[row] = request.sender;
            texts[row] = request.text;
            ids[row] = request.clientMsgId;
            row++;
        }
        Integer inserted = jdbc.execute(sql.insertNew, (PreparedStatement ps) -> {
            Connection connection = ps.getConnection();
            ps.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            ps.setArray(2, connection.createArrayOf("VARCHAR", rooms));
            ps.setArray(3, connection.createArrayOf("BIGINT", seqs));
            ps.setArray(4, connection.createArrayOf("VARCHAR", senders));
            ps.setArray(5, connection.createArrayOf("VARCHAR", texts));
            ps.setArray(6, connection.createArrayOf("UUID", ids));
            return ps.executeUpdate();
        });
        if (inserted == null || inserted != count) {
            throw new StoredRetry();
        }
        return results;
    }

    /**
     * Advances the head of each room of {@code newPerRoom} (ascending names) by its count and returns
     * each room's first new sequence. Throws {@link MissingRooms} when a room has no head yet.
     */
    private Map<String, Long> advanceHeads(SqlDialect sql, Map<String, Long> newPerRoom) {
        String[] names = newPerRoom.keySet().toArray(String[]::new);
        Long[] counts = newPerRoom.values().toArray(Long[]::new);
        Map<String, Long> firstSeqs = new HashMap<>();
        jdbc.query(sql.advanceHeads, ps -> {
            Connection connection = ps.getConnection();
            ps.setArray(1, connection.createArrayOf("VARCHAR", names));
            ps.setArray(2, connection.createArrayOf("BIGINT", counts));
        }, (ResultSet rs) -> {
            String name = rs.getString(1);
            firstSeqs.put(name, rs.getLong(2) - newPerRoom.get(name) + 1);
        });
        if (firstSeqs.size() < names.length) {
            Set<String> missing = new TreeSet<>(newPerRoom.keySet());
            missing.removeAll(firstSeqs.keySet());
            throw new MissingRooms(missing);
        }
        return firstSeqs;
    }

    private @Nullable SqlDialect dialect() {
        Optional<SqlDialect> known = dialect;
        if (known == null) {
            String product = jdbc.execute((ConnectionCallback<String>) connection -> connection.getMetaData().getDatabaseProductName());
            known = Optional.ofNullable(product == null ? null : SqlDialect.of(product));
            dialect = known;
        }
        return known.orElse(null);
    }

    /**
     * The look-up path, four statements: locks the rooms' heads, looks up which requests are retries
     * of stored messages, then advances the heads and inserts the new messages.
     */
    private List<Appended> lookUpAndWrite(List<AppendRequest> batch) {
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

    /** A message of the batch is stored already; thrown to roll the first attempt back. */
    private static final class StoredRetry extends RuntimeException {

        StoredRetry() {
            super("a message of the batch is stored already", null, false, false);
        }
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
