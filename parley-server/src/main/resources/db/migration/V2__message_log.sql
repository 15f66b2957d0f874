-- The message log (io.parley.server.history.JdbcMessageLog). Runs unchanged on H2 (MODE=PostgreSQL)
-- and PostgreSQL 15.

-- The head of each room's log: last_seq is the newest sequence number handed out in the room.
-- A row is created by the room's first append; appends lock it (SELECT ... FOR UPDATE), which
-- serializes the writers of one room across every node and keeps its sequence gapless.
create table rooms (
    name       varchar(100)             not null,
    last_seq   bigint                   not null default 0,
    created_at timestamp with time zone not null default current_timestamp,
    constraint rooms_pk primary key (name),
    constraint rooms_last_seq_check check (last_seq >= 0)
);

-- One row per committed room message. The primary key (room, seq) is the index every read pages
-- through; the unique key (room, sender, client_msg_id) makes a retried send find its original.
-- text is bounded by the protocol's MAX_TEXT (4000 chars).
create table messages (
    room          varchar(100)             not null,
    seq           bigint                   not null,
    sender        varchar(100)             not null,
    text          varchar(4000)            not null,
    created_at    timestamp with time zone not null,
    client_msg_id uuid                     not null,
    constraint messages_pk primary key (room, seq),
    constraint messages_client_msg_id_uq unique (room, sender, client_msg_id),
    constraint messages_room_fk foreign key (room) references rooms (name),
    constraint messages_seq_check check (seq > 0)
);
