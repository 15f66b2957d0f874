package io.parley.server.history;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.protocol.Protocol;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * The {@link MessageLog} on a relational database (embedded H2 or PostgreSQL), with group commit:
 * many appends share one transaction, so one node sustains high write rates while a single append
 * waits at most {@link HistoryProperties#maxBatchDelay()} for company.
 *
 * <h2>Tables</h2>
 * Created by {@code db/migration/V2__message_log.sql}:
 * <ul>
 * <li>{@code rooms (name PK, last_seq, created_at)}: the head of each room's log; {@code last_seq} is
 *     the newest sequence handed out. Created by the room's first append, never deleted here.</li>
 * <li>{@code messages (room, seq, sender, text, created_at, client_msg_id)}: primary key
 *     {@code (room, seq)}, which every read pages through; unique key
 *     {@code (room, sender, client_msg_id)}, which makes a retry find its original.</li>
 * </ul>
 *
 * <h2>One batch, one transaction</h2>
 * A committer thread takes up to {@link HistoryProperties#maxBatchSize()} queued appends and commits
 * them at the database's default READ COMMITTED isolation, whatever the number of rooms in the batch,
 * with <b>two statements</b> and the commit ({@link SqlDialect} has both databases' SQL; each takes
 * arrays, so it is one statement text for any batch):
 * <pre>
 * -- advance the head of every room of the batch by its new messages; locks the rows in name order
 * -- and returns the new last_seq of each, which numbers the messages
 * UPDATE rooms ... SET last_seq = last_seq + n ... RETURNING name, last_seq      (PostgreSQL)
 * SELECT name, last_seq FROM FINAL TABLE (MERGE INTO rooms ... last_seq + n)     (H2)
 * -- insert the new messages unless one with the same (room, sender, client_msg_id) is stored
 * INSERT INTO messages (...) SELECT ... FROM unnest(?, ?, ?, ?, ?) ON CONFLICT ... DO NOTHING
 * COMMIT
 * </pre>
 * Retries within one batch are answered from the batch itself and take no sequence. A retry of a
 * message stored by an earlier batch (or another node) shows as a row the insert did not write: then
 * the heads were advanced for a message that is not new, so the transaction is rolled back and the
 * batch is written again by the <b>look-up path</b>, which finds the originals before numbering:
 * <pre>
 * SELECT name, last_seq FROM rooms WHERE name IN (?, ...) ORDER BY name FOR UPDATE
 * SELECT ... FROM messages WHERE (room, sender, client_msg_id) IN ((?, ?, ?), ...)
 * UPDATE rooms SET last_seq = ? WHERE name = ?                         -- batched
 * INSERT INTO messages (room, seq, sender, text, created_at, client_msg_id) VALUES (?, ?, ?, ?, ?, ?)
 * COMMIT
 * </pre>
 * Retries come after reconnects, so the look-up path is rare; it is counted
 * ({@code parley.history.lookups}). A database that is neither H2 nor PostgreSQL always takes it.
 * When a room has no head yet, the transaction is rolled back, the missing heads are created on
 * their own ({@code INSERT INTO rooms (name, last_seq) VALUES (?, 0) ON CONFLICT DO NOTHING}, so
 * two nodes creating the same room both succeed), and the batch starts over. A room is created
 * once in its life, so this costs nothing in the steady state; an empty head left by a batch that
 * failed later means what no head means: {@code last_seq} 0.
 *
 * <p>Why this is gapless and unique on any number of nodes: every writer of a room first takes the
 * lock on the room's head row and keeps it until its transaction ends, so a room's appends are
 * serialized across nodes; after waiting for a lock, READ COMMITTED gives the locking statement the
 * newest committed {@code last_seq}, and each following statement sees what the previous holder
 * committed, so numbering continues where it stopped and the insert's conflict (or the look-up) sees
 * every stored message of the room. Sequences are assigned by the transaction that commits them: a
 * rolled-back batch leaves no hole, unlike a database sequence, and the first attempt commits only if
 * every message it numbered was inserted. The rows are locked in name order (PostgreSQL: a
 * {@code SELECT ... ORDER BY name FOR UPDATE} inside the advancing statement), so two nodes whose
 * batches share rooms take the locks in the same order and cannot deadlock. The look-up path inserts
 * without {@code ON CONFLICT}: there the {@code UNIQUE} constraint is a safety net that is never
 * tripped. Its {@code IN} lists are padded to a power of two (by repeating their last value) so the
 * database sees few distinct statements and keeps them prepared.
 *
 * <p>A failed transaction is rolled back quietly (a rollback on a broken connection fails too, and
 * is attached to the failure as suppressed); the committer logs the outage once, not per batch.
 *
 * <p>Each room's lock is held for one batch's transaction (three round trips on PostgreSQL), which
 * bounds a room's write rate across the whole cluster; group commit is what makes that bound high.
 *
 * <h2>Guarantees and threading</h2>
 * <ul>
 * <li>{@link #append} may be called from any thread and never blocks: it queues the request and
 *     returns. A full queue, or a log that is not running, fails the future at once with
 *     {@link AppendFailedException}.</li>
 * <li>Futures complete only after the commit, in sequence order per room, on the completion thread
 *     of the room's committer ({@code parley-history-committer-<i>-completion}), not on the thread
 *     that commits: while one batch's callers run what they attached (the ack, the hand-over to
 *     delivery), the next batch commits. Dependent stages attached with the non-{@code Async} methods
 *     run on that thread: keep them short and non-blocking (publish, queue a frame), or the room's
 *     acks fall behind, and after {@value Committer#COMPLETION_BACKLOG} batches its commits too.</li>
 * <li>When a transaction fails, every future of the batch fails with
 *     {@link AppendFailedException.Reason#STORE_FAILED} and nothing of it is acknowledged; the next
 *     batch tries again, so the log recovers by itself when the database is back.</li>
 * <li>A message's {@code ts} is the committing node's clock when its batch began, at microsecond
 *     precision; across nodes it is ordered like {@code seq} only as far as their clocks agree.</li>
 * <li>Reads ({@link #lastSeq}, {@link #after}, {@link #before}) run on the caller's thread, outside
 *     any batch, and see committed messages only. If {@code seq} n is visible, so is every earlier
 *     {@code seq} of the room.</li>
 * </ul>
 *
 * <h2>Lifecycle</h2>
 * A {@link SmartLifecycle} in phase {@link #PHASE}: it starts before, and stops after, the web
 * server and its connections. Stopping refuses new appends, then commits everything already queued
 * (including the batch in flight) before the context closes the data source.
 */
public class JdbcMessageLog implements MessageLog, SmartLifecycle {

    /** Below the web server's phase: started earlier, stopped later than anything that appends. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    /** How long the synchronous {@link #stop()} waits for queued appends to commit. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private static final String LAST_SEQ = "SELECT last_seq FROM rooms WHERE name = ?";

    private static final String AFTER = "SELECT " + MessageRows.COLUMNS
            + " FROM messages WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?";

    private static final String BEFORE = "SELECT " + MessageRows.COLUMNS
            + " FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?";

    /** Longest room and sender name the columns hold. */
    static final int MAX_NAME_LENGTH = 100;

    private final JdbcTemplate jdbc;
    private final HistoryProperties properties;
    private final MessageLogMetrics metrics;
    private final GroupCommit groupCommit;

    /**
     * A log on {@code dataSource}, whose schema is already migrated. Not started: call
     * {@link #start()} (Spring does) before appending. Meters go to {@code meterRegistry}.
     */
    public JdbcMessageLog(DataSource dataSource, HistoryProperties properties, MeterRegistry meterRegistry) {
        this(dataSource, properties, meterRegistry, Clock.systemUTC());
    }

    JdbcMessageLog(DataSource dataSource, HistoryProperties properties, MeterRegistry meterRegistry, Clock clock) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.properties = properties;
        this.metrics = new MessageLogMetrics(meterRegistry);
        DefaultTransactionDefinition batchTransaction = new DefaultTransactionDefinition();
        batchTransaction.setName("parley-history-batch");
        // No JDBC timeout: it becomes a query timeout on every statement, and the PostgreSQL driver arms
        // a java.util.Timer task for each one (PgStatement.startTimer). The database enforces the bound
        // itself (statement_timeout, see application-cluster.yml and docs/message-log.md).
        JdbcBatchWriter writer = new JdbcBatchWriter(jdbc, new JdbcTransactionManager(dataSource), batchTransaction, clock, metrics);
        this.groupCommit = new GroupCommit(writer, properties, metrics, "parley-history-committer-");
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code room} or {@code sender} is empty or longer than
     *     100 chars, or {@code text} is longer than {@link Protocol#MAX_TEXT}; such an append would
     *     fail its whole batch, so it is refused before it is queued
     */
    @Override
    public CompletableFuture<Appended> append(String room, String sender, UUID clientMsgId, String text) {
        checkName("room", room);
        checkName("sender", sender);
        if (clientMsgId == null) {
            throw new IllegalArgumentException("clientMsgId must not be null");
        }
        if (text == null || text.length() > Protocol.MAX_TEXT) {
            throw new IllegalArgumentException("text must be at most " + Protocol.MAX_TEXT + " chars");
        }
        return groupCommit.append(room, sender, clientMsgId, text);
    }

    @Override
    public long lastSeq(String room) {
        List<Long> rows = jdbc.queryForList(LAST_SEQ, Long.class, room);
        return rows.isEmpty() ? 0 : rows.get(0);
    }

    /** {@inheritDoc} A {@code limit} above {@link HistoryProperties#maxPageSize()} is reduced to it. */
    @Override
    public List<StoredMessage> after(String room, long afterSeq, int limit) {
        int pageSize = pageSize(limit);
        if (pageSize == 0) {
            return List.of();
        }
        return jdbc.query(AFTER, MessageRows.MAPPER, room, afterSeq, pageSize);
    }

    /** {@inheritDoc} A {@code limit} above {@link HistoryProperties#maxPageSize()} is reduced to it. */
    @Override
    public List<StoredMessage> before(String room, @Nullable Long beforeSeq, int limit) {
        int pageSize = pageSize(limit);
        if (pageSize == 0) {
            return List.of();
        }
        long bound = (beforeSeq != null) ? beforeSeq : Long.MAX_VALUE;
        List<StoredMessage> newestFirst = new ArrayList<>(jdbc.query(BEFORE, MessageRows.MAPPER, room, bound, pageSize));
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    @Override
    public void start() {
        groupCommit.start();
    }

    /** Refuses new appends and commits the queued ones, waiting up to 30 s. */
    @Override
    public void stop() {
        groupCommit.stop(STOP_TIMEOUT);
    }

    /** Like {@link #stop()}, on a thread of its own, so Spring can stop other beans of the phase meanwhile. */
    @Override
    public void stop(Runnable callback) {
        Thread stopper = new Thread(() -> {
            try {
                stop();
            }
            finally {
                callback.run();
            }
        }, "parley-history-stop");
        stopper.setDaemon(true);
        stopper.start();
    }

    @Override
    public boolean isRunning() {
        return groupCommit.isRunning();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    @Override
    public String toString() {
        return "JdbcMessageLog[queued=" + groupCommit.queued() + ", " + metrics + "]";
    }

    private int pageSize(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, was " + limit);
        }
        return Math.min(limit, properties.maxPageSize());
    }

    private static void checkName(String what, @Nullable String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(what + " must be 1.." + MAX_NAME_LENGTH + " chars, was " + name);
        }
    }
}
