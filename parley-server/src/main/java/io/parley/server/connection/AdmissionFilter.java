package io.parley.server.connection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Node-wide admission control for {@code /ws}, in front of Spring Security so that a refused
 * handshake costs no session look-up: {@link Admission#tryAdmit()} or 503 with {@code Retry-After},
 * {@code Connection: close} (the socket and its descriptor are released at once) and a JSON body.
 * An admitted handshake that does not upgrade (401, 403, 429, …) gives its slot back. A draining
 * node answers {@code Retry-After: 1}: another node is ready, and the client should go there now.
 * A handshake over the rate limit gets a {@code Retry-After} drawn at random from 1 s to {@code
 * parley.connections.retry-after}, so that the refused part of a storm does not return as one wave.
 */
final class AdmissionFilter extends OncePerRequestFilter {

    private static final int SWITCHING_PROTOCOLS = 101;
    private static final String DRAINING_RETRY_AFTER_SECONDS = "1";

    private final Admission admission;
    private final String retryAfterSeconds;
    private final long maxRetryAfterSeconds;

    AdmissionFilter(Admission admission, ConnectionProperties properties) {
        this.admission = admission;
        this.maxRetryAfterSeconds = properties.retryAfter().toSeconds();
        this.retryAfterSeconds = Long.toString(maxRetryAfterSeconds);
    }

    /** A {@code Retry-After} drawn uniformly from 1 to {@code retry-after} seconds: refused clients come back spread out. */
    private String spreadRetryAfter() {
        return Long.toString(ThreadLocalRandom.current().nextLong(1, maxRetryAfterSeconds + 1));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Admission.Refusal refusal = admission.tryAdmit();
        if (refusal == Admission.Refusal.DRAINING) {
            refuse(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, DRAINING_RETRY_AFTER_SECONDS, "unavailable",
                    "this node is shutting down; connect again, through the load balancer, to another node");
            return;
        }
        if (refusal == Admission.Refusal.HANDSHAKE_RATE) {
            refuse(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, spreadRetryAfter(), "unavailable",
                    "this node takes new connections at a bounded rate and is at it now; retry after the given time");
            return;
        }
        if (refusal != null) {
            refuse(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, retryAfterSeconds, "unavailable",
                    refusal == Admission.Refusal.FILE_DESCRIPTORS
                            ? "this node is short of file descriptors; retry later, or on another node"
                            : "this node holds all the connections it can; retry later, or on another node");
            return;
        }
        boolean upgraded = false;
        try {
            chain.doFilter(request, response);
            upgraded = response.getStatus() == SWITCHING_PROTOCOLS;
        }
        finally {
            if (upgraded) {
                admission.upgraded();
            }
            else {
                admission.cancel();
            }
        }
    }

    /** Writes a refusal: the status, {@code Retry-After}, {@code Connection: close} and {@code {"error":…,"message":…}}. */
    static void refuse(HttpServletResponse response, int status, String retryAfterSeconds, String error, String message)
            throws IOException {
        response.setStatus(status);
        response.setHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        response.setHeader(HttpHeaders.CONNECTION, "close");
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        byte[] body = ("{\"error\":\"" + error + "\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
