package io.parley.server.token;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/** The body of {@code POST /api/tokens/refresh} and {@code /api/tokens/revoke}. */
public record RefreshRequest(
        @NotBlank(message = "refreshToken is required")
        @Size(max = 128, message = "refreshToken must be at most 128 characters")
        @Nullable String refreshToken) {

    @Override
    public String toString() {
        return "RefreshRequest[refreshToken=***]";
    }
}
