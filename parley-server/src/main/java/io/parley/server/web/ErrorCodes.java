package io.parley.server.web;

import org.springframework.http.HttpStatus;

/** The {@code error} code of an {@link ApiError} for an HTTP status that carries no more specific one. */
public final class ErrorCodes {

    private ErrorCodes() {
    }

    public static String of(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST -> "bad_request";
            case UNAUTHORIZED -> "unauthorized";
            case FORBIDDEN -> "forbidden";
            case NOT_FOUND -> "not_found";
            case METHOD_NOT_ALLOWED -> "method_not_allowed";
            case NOT_ACCEPTABLE -> "not_acceptable";
            case CONFLICT -> "conflict";
            case PAYLOAD_TOO_LARGE, CONTENT_TOO_LARGE -> "too_large";
            case UNSUPPORTED_MEDIA_TYPE -> "unsupported_media_type";
            case TOO_MANY_REQUESTS -> "rate_limited";
            case SERVICE_UNAVAILABLE -> "unavailable";
            default -> status.is5xxServerError() ? "internal" : "bad_request";
        };
    }
}
