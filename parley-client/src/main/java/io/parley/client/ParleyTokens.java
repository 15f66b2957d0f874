package io.parley.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.parley.protocol.FrameCodec;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One user's token login: an access token (sent as {@code Authorization: Bearer}) and the refresh
 * token that renews it, with no cookie and no CSRF token. It refreshes by itself when two thirds of
 * the access token's lifetime have passed, and at once when a connection reports the server's
 * {@code refresh} frame; each new access token goes to every {@link #onRefreshed} listener (the
 * clients built by {@link #clientBuilder()} present it on their socket with an {@code auth} frame).
 *
 * <p>A refresh token is single use, and the server revokes the whole login when one is used twice,
 * so refreshes never overlap: one is in flight at a time and concurrent callers share it. A failed
 * refresh is retried a second later while the access token is still valid; a refused one (the
 * login was revoked) stops the refreshing, and the next handshake is answered 401.
 *
 * <p>Thread-safe. {@link #login} blocks; refreshing is asynchronous (on the JDK client's threads
 * and the shared scheduler) and listeners must not block.
 */
public final class ParleyTokens implements AutoCloseable {

    private static final System.Logger log = System.getLogger(ParleyTokens.class.getName());

    private record Pair(String accessToken, Instant expiresAt, String refreshToken) {
    }

    private final URI baseUri;
    private final String username;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final ScheduledExecutorService scheduler;
    private final JsonMapper json = new FrameCodec().mapper();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile Pair pair;
    private @Nullable CompletableFuture<String> inFlight;
    private @Nullable ScheduledFuture<?> timer;
    private boolean closed;

    private ParleyTokens(URI baseUri, String username, HttpClient http, Duration requestTimeout, ScheduledExecutorService scheduler,
            Pair pair) {
        this.baseUri = baseUri;
        this.username = username;
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.scheduler = scheduler;
        this.pair = pair;
    }

    /** {@code POST /api/tokens} with username and password; {@link ParleyHttpException} 401 for bad credentials. */
    public static ParleyTokens login(URI baseUri, String username, String password) {
        return login(baseUri, username, password, SharedResources.httpClient(), ParleyHttp.DEFAULT_REQUEST_TIMEOUT,
                SharedResources.scheduler());
    }

    /** As {@link #login(URI, String, String)}, over a shared HTTP client and scheduler. */
    public static ParleyTokens login(URI baseUri, String username, String password, HttpClient http, Duration requestTimeout,
            ScheduledExecutorService scheduler) {
        HttpResponse<String> response = send(http, post(baseUri, "/api/tokens", Map.of("username", username, "password", password),
                requestTimeout));
        JsonMapper json = new FrameCodec().mapper();
        ParleyTokens tokens = new ParleyTokens(baseUri, username, http, requestTimeout, scheduler, pair(json, "POST /api/tokens", response));
        tokens.scheduleRefresh();
        return tokens;
    }

    /** A {@link ParleyClient} builder for the same server that authenticates with these tokens. */
    public ParleyClient.Builder clientBuilder() {
        return ParleyClient.builder(baseUri).tokens(this);
    }

    public String username() {
        return username;
    }

    /** The newest access token. */
    public String accessToken() {
        return pair.accessToken();
    }

    /** When {@link #accessToken()} expires. */
    public Instant expiresAt() {
        return pair.expiresAt();
    }

    /** Called with every new access token, on an HTTP or scheduler thread; must not block. */
    public void onRefreshed(Consumer<String> listener) {
        listeners.add(listener);
    }

    /**
     * A connection's token expires at {@code expiry}: if a newer token is already held, it is handed
     * to the listeners again (that connection missed it); otherwise a refresh starts.
     */
    void refreshBefore(Instant expiry) {
        Pair current = pair;
        if (current.expiresAt().isAfter(expiry)) {
            listeners.forEach(listener -> listener.accept(current.accessToken()));
        } else {
            refresh();
        }
    }

    /** Refreshes now, or joins the refresh in flight; completes with the new access token. */
    public synchronized CompletableFuture<String> refresh() {
        if (inFlight != null) {
            return inFlight;
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("tokens closed"));
        }
        Pair used = pair;
        CompletableFuture<String> result = http.sendAsync(post(baseUri, "/api/tokens/refresh", Map.of("refreshToken", used.refreshToken()),
                        requestTimeout), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> {
                    Pair next = pair(json, "POST /api/tokens/refresh", response);
                    pair = next;
                    return next.accessToken();
                });
        inFlight = result;
        result.whenComplete((token, failure) -> refreshed(token, failure));
        return result;
    }

    private void refreshed(@Nullable String token, @Nullable Throwable failure) {
        synchronized (this) {
            inFlight = null;
        }
        if (token != null) {
            scheduleRefresh();
            listeners.forEach(listener -> listener.accept(token));
            return;
        }
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof ParleyHttpException refused && refused.status() == 401) {
            log.log(System.Logger.Level.WARNING, "refresh refused ({0}): the login of {1} is over", refused.error(), username);
            return;
        }
        log.log(System.Logger.Level.INFO, "refresh failed ({0}); retrying in a second", String.valueOf(cause));
        if (Instant.now().isBefore(pair.expiresAt())) {
            schedule(Duration.ofSeconds(1));
        }
    }

    private void scheduleRefresh() {
        Duration lifetime = Duration.between(Instant.now(), pair.expiresAt());
        schedule(lifetime.multipliedBy(2).dividedBy(3));
    }

    private synchronized void schedule(Duration delay) {
        if (closed) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timer = scheduler.schedule(this::refresh, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** {@code POST /api/tokens/revoke}: ends this login on the server (its sockets close with 1008); stops refreshing. */
    public void revoke() {
        close();
        HttpResponse<String> response = send(http, post(baseUri, "/api/tokens/revoke", Map.of("refreshToken", pair.refreshToken()),
                requestTimeout));
        if (response.statusCode() / 100 != 2) {
            throw ParleyHttp.failure(json, "POST /api/tokens/revoke", response);
        }
    }

    /** Stops refreshing. The tokens stay valid until they expire. */
    @Override
    public synchronized void close() {
        closed = true;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) {
        String name = request.method() + " " + request.uri().getPath();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(name + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException(name + " interrupted"));
        }
    }

    private static HttpRequest post(URI baseUri, String path, Map<String, String> body, Duration timeout) {
        return HttpRequest.newBuilder(baseUri.resolve(path))
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new FrameCodec().mapper().writeValueAsString(body)))
                .build();
    }

    private static Pair pair(JsonMapper json, String request, HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw ParleyHttp.failure(json, request, response);
        }
        try {
            JsonNode body = json.readTree(response.body());
            return new Pair(body.path("accessToken").asString(), Instant.now().plusSeconds(body.path("expiresIn").asLong()),
                    body.path("refreshToken").asString());
        } catch (JacksonException e) {
            throw new IllegalStateException(request + " answered 200 without a token pair", e);
        }
    }
}
