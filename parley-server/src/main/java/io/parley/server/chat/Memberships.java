package io.parley.server.chat;

import java.util.List;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code memberships} table: which users joined which rooms. Thread-safe. */
@Repository
public class Memberships {

    private final JdbcClient jdbc;

    public Memberships(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Makes {@code user} a member of {@code room}; idempotent, also when two nodes race. True when
     * this call made them a member (exactly one of racing calls), false when they already were.
     */
    public boolean add(String room, String user) {
        if (isMember(room, user)) {
            return false;
        }
        try {
            jdbc.sql("INSERT INTO memberships (room, username) VALUES (?, ?)").params(room, user).update();
            return true;
        } catch (DuplicateKeyException alreadyMember) {
            // Another connection of the same user joined at the same moment.
            return false;
        }
    }

    public void remove(String room, String user) {
        jdbc.sql("DELETE FROM memberships WHERE room = ? AND username = ?").params(room, user).update();
    }

    public boolean isMember(String room, String user) {
        return jdbc.sql("SELECT COUNT(*) FROM memberships WHERE room = ? AND username = ?")
                .params(room, user).query(Long.class).single() > 0;
    }

    /** The rooms of {@code user}, by name. */
    public List<String> roomsOf(String user) {
        return jdbc.sql("SELECT room FROM memberships WHERE username = ? ORDER BY room").param(user).query(String.class).list();
    }
}
