package io.parley.server.auth;

import java.util.Optional;

import io.parley.server.chat.UserDirectory;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Repository;

/**
 * The {@code accounts} table. Passwords are hashed with the configured {@link PasswordEncoder}
 * (BCrypt) before they reach the database and are never logged. Thread-safe.
 */
@Repository
public class Accounts implements UserDirectory {

    private final JdbcClient jdbc;
    private final PasswordEncoder passwordEncoder;

    public Accounts(JdbcClient jdbc, PasswordEncoder passwordEncoder) {
        this.jdbc = jdbc;
        this.passwordEncoder = passwordEncoder;
    }

    /** Creates the account; false when the username is taken (on any node: the primary key decides). */
    public boolean create(String username, String rawPassword) {
        try {
            jdbc.sql("INSERT INTO accounts (username, password_hash) VALUES (?, ?)")
                    .params(username, passwordEncoder.encode(rawPassword))
                    .update();
            return true;
        } catch (DuplicateKeyException taken) {
            return false;
        }
    }

    /** The stored password hash of {@code username}. */
    public Optional<String> passwordHash(String username) {
        return jdbc.sql("SELECT password_hash FROM accounts WHERE username = ?")
                .param(username)
                .query(String.class)
                .optional();
    }

    @Override
    public boolean exists(String username) {
        return jdbc.sql("SELECT COUNT(*) FROM accounts WHERE username = ?").param(username).query(Long.class).single() > 0;
    }
}
