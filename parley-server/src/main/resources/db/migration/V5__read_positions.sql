-- Read state (io.parley.server.chat.ReadPositions): how far each user has read each room. Only
-- moves forward (UPDATE ... SET read_seq = GREATEST(read_seq, ?)) and never past the room's head.
-- Runs unchanged on H2 (MODE=PostgreSQL) and PostgreSQL.
CREATE TABLE read_positions (
    username   VARCHAR(32)  NOT NULL,
    room       VARCHAR(100) NOT NULL,
    read_seq   BIGINT       NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
    PRIMARY KEY (username, room),
    CONSTRAINT read_positions_read_seq_check CHECK (read_seq >= 0)
);
