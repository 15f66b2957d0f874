package io.parley.server.chat;

/**
 * Which user names have an account: what a direct room needs to know about its participants.
 * Implemented by the account store ({@code io.parley.server.auth.Accounts}); thread-safe.
 */
public interface UserDirectory {

    /** Whether {@code user} has an account. */
    boolean exists(String user);
}
