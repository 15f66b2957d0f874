package io.parley.server.auth;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/** The body of {@code POST /api/signup} and {@code POST /api/login}. */
public record Credentials(
        @NotNull(message = "username is required")
        @Pattern(regexp = "[a-z0-9_]{3,32}", message = "username must match [a-z0-9_]{3,32}")
        @Nullable String username,
        @NotNull(message = "password is required")
        @Size(min = 8, max = 128, message = "password must be 8..128 characters")
        @Nullable String password) {

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=***]";
    }
}
