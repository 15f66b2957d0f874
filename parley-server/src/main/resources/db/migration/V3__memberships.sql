-- Room membership: who joined which room (persisted; presence is computed from live connections).
CREATE TABLE memberships (
    room      VARCHAR(100) NOT NULL,
    username  VARCHAR(32)  NOT NULL,
    joined_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
    PRIMARY KEY (room, username)
);
CREATE INDEX memberships_by_user ON memberships (username, room);
