package io.parley.server.auth;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import io.parley.server.web.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Applies {@link LoginRateLimit} to the password endpoints, before Spring Security and before the
 * body is read: a refused attempt costs no session, no CSRF check and no BCrypt. Answers 429 with
 * {@code Retry-After} (seconds) and {@code {"error":"rate_limited",…}}.
 */
final class LoginRateLimitFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(LoginRateLimitFilter.class);

    private final LoginRateLimit limit;
    private final JsonMapper json;

    LoginRateLimitFilter(LoginRateLimit limit, JsonMapper json) {
        this.limit = limit;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long retryAfter = limit.tryAcquire(request.getRemoteAddr());
        if (retryAfter == 0) {
            chain.doFilter(request, response);
            return;
        }
        log.debug("Password attempt from {} refused: over the limit, retry in {} s", request.getRemoteAddr(), retryAfter);
        response.setStatus(429);
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        json.writeValue(response.getOutputStream(),
                new ApiError("rate_limited", "too many login or signup attempts from this address; retry after " + retryAfter + " s"));
    }
}
