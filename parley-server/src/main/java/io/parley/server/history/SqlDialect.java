package io.parley.server.history;

import org.jspecify.annotations.Nullable;

/**
 * The two statements of {@link JdbcBatchWriter}'s first attempt, in the SQL each database accepts.
 * Both take arrays (one parameter per column, whatever the batch size), so each is one statement
 * text that the database keeps prepared.
 *
 * <ul>
 * <li><b>Advance the heads</b> of the batch's rooms by the number of new messages of each, and
 * return the new {@code last_seq}s: one statement that locks, reads and writes. PostgreSQL: an
 * {@code UPDATE ... RETURNING} whose rows are first locked by a {@code SELECT ... ORDER BY name FOR
 * UPDATE} (the lock order of every writer, so two nodes never deadlock); H2: a {@code MERGE} read
 * through {@code FINAL TABLE}, fed in name order.</li>
 * <li><b>Insert</b> the new messages unless one with the same {@code (room, sender,
 * client_msg_id)} is stored ({@code ON CONFLICT DO NOTHING}; on H2, which takes no conflict target,
 * any unique key counts); the update count says whether every row went in.</li>
 * </ul>
 *
 * A database that is neither has no first attempt: every batch takes the look-up path.
 */
enum SqlDialect {

    POSTGRESQL("""
            WITH v (name, n) AS (SELECT * FROM unnest(CAST(? AS VARCHAR ARRAY), CAST(? AS BIGINT ARRAY))), \
            locked AS (SELECT name FROM rooms WHERE name IN (SELECT name FROM v) ORDER BY name FOR UPDATE) \
            UPDATE rooms r SET last_seq = r.last_seq + v.n FROM locked l JOIN v ON v.name = l.name \
            WHERE r.name = l.name RETURNING r.name, r.last_seq""",
            "ON CONFLICT (room, sender, client_msg_id) DO NOTHING"),

    H2("""
            SELECT name, last_seq FROM FINAL TABLE (MERGE INTO rooms r USING \
            (SELECT * FROM UNNEST(CAST(? AS VARCHAR ARRAY), CAST(? AS BIGINT ARRAY))) AS v (name, n) \
            ON r.name = v.name WHEN MATCHED THEN UPDATE SET last_seq = r.last_seq + v.n)""",
            "ON CONFLICT DO NOTHING");

    /** Parameters: room names (ascending), new messages per room. Rows: name, new last_seq. */
    final String advanceHeads;

    /**
     * Parameters: created_at (one for the batch), then arrays of room, seq, sender, text,
     * client_msg_id. Update count: rows inserted.
     */
    final String insertNew;

    SqlDialect(String advanceHeads, String onConflict) {
        this.advanceHeads = advanceHeads;
        this.insertNew = "INSERT INTO messages (" + MessageRows.COLUMNS + ") SELECT v.room, v.seq, v.sender, v.text, ?, v.id"
                + " FROM UNNEST(CAST(? AS VARCHAR ARRAY), CAST(? AS BIGINT ARRAY), CAST(? AS VARCHAR ARRAY),"
                + " CAST(? AS VARCHAR ARRAY), CAST(? AS UUID ARRAY)) AS v (room, seq, sender, text, id) " + onConflict;
    }

    /** The dialect of the database {@code productName} (JDBC metadata) names, or null if neither. */
    static @Nullable SqlDialect of(String productName) {
        if (productName.equalsIgnoreCase("PostgreSQL")) {
            return POSTGRESQL;
        }
        if (productName.equalsIgnoreCase("H2")) {
            return H2;
        }
        return null;
    }
}
