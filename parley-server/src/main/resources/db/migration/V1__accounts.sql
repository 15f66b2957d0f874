-- Accounts: one row per user. Passwords are stored as {bcrypt} hashes (DelegatingPasswordEncoder format).
CREATE TABLE accounts (
    username      VARCHAR(32)  NOT NULL PRIMARY KEY,
    password_hash VARCHAR(100) NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL
);
