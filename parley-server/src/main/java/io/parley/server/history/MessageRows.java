package io.parley.server.history;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.springframework.jdbc.core.RowMapper;

/**
 * How a {@link StoredMessage} maps to a row of {@code messages}: the column list, the row mapper,
 * and the binding of the types that differ between drivers (timestamps as {@link OffsetDateTime}
 * in UTC, ids as {@link UUID}). Stateless.
 */
final class MessageRows {

    /** The columns of a {@link StoredMessage}, in the order {@link #MAPPER} reads them. */
    static final String COLUMNS = "room, seq, sender, text, created_at, client_msg_id";

    static final RowMapper<StoredMessage> MAPPER = (rs, rowNum) -> map(rs);

    private MessageRows() {
    }

    private static StoredMessage map(ResultSet rs) throws SQLException {
        return new StoredMessage(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                rs.getObject(5, OffsetDateTime.class).toInstant(), rs.getObject(6, UUID.class));
    }

    /** Binds the six {@link #COLUMNS} of {@code message} from parameter 1. */
    static void bind(PreparedStatement ps, StoredMessage message) throws SQLException {
        ps.setString(1, message.room());
        ps.setLong(2, message.seq());
        ps.setString(3, message.sender());
        ps.setString(4, message.text());
        ps.setObject(5, OffsetDateTime.ofInstant(message.ts(), ZoneOffset.UTC));
        ps.setObject(6, message.clientMsgId());
    }

    /** {@code instant} at the precision both databases store (microseconds), so a read equals the write. */
    static Instant storable(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }
}
