package io.parley.server.web;

/**
 * The body of every HTTP error Parley returns: {@code {"error":"code","message":"..."}}. Never an
 * HTML page, never a stack trace. The codes are listed in docs/protocol.md.
 */
public record ApiError(String error, String message) {
}
