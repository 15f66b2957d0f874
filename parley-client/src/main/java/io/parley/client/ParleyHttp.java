package io.parley.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.parley.protocol.FrameCodec;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP side of Parley for one user: sign-up, login, logout, {@code /api/me}, with the user's
 * cookies and the CSRF token.
 *
 * <p>Cookies are kept in this instance's own {@link CookieManager} (not the {@link HttpClient}'s),
 * so many users can share one {@code HttpClient}. {@link #cookieHeader()} gives them to
 * {@link ParleyClient} for the WebSocket handshake, read again on every reconnect.
 *
 * <p>CSRF: every POST carries the token from {@code GET /api/csrf} in the header the server names
 * ({@code X-XSRF-TOKEN}). The token is fetched when first needed and again after login and logout,
 * where Spring Security rotates it; a POST answered 403 is retried once with a fresh token.
 *
 * <p>Thread-safe, but meant for one user at a time: calls block the calling thread until the
 * response or the request timeout. Errors are {@link ParleyHttpException}s carrying the status and
 * the server's JSON error; I/O failures are {@link UncheckedIOException}s.
 */
public final class ParleyHttp {

    /** The CSRF header name used until the server names one. */
    public static final String DEFAULT_CSRF_HEADER = "X-XSRF-TOKEN";
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** A CSRF token and the header that must carry it. */
    public record CsrfToken(String headerName, String token) {
    }

    private final URI baseUri;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ORIGINAL_SERVER);
    private final JsonMapper json = new FrameCodec().mapper();
    private volatile @Nullable CsrfToken csrf;

    /** A client of the server at {@code baseUri} (such as {@code http://127.0.0.1:8080}) over a shared HTTP client. */
    public ParleyHttp(URI baseUri) {
        this(baseUri, SharedResources.httpClient(), DEFAULT_REQUEST_TIMEOUT);
    }

    /** @param http an HTTP client that may be shared; give it no cookie handler, or cookies are sent twice */
    public ParleyHttp(URI baseUri, HttpClient http, Duration requestTimeout) {
        this.baseUri = baseUri;
        this.http = http;
        this.requestTimeout = requestTimeout;
    }

    /** Creates an account. 409 when the name is taken, 400 for an invalid name or password. */
    public void signup(String username, String password) {
        call("POST", "/api/signup", credentials(username, password));
    }

    /** Logs in and keeps the {@code SESSION} cookie. 401 for bad credentials. */
    public void login(String username, String password) {
        try {
            call("POST", "/api/login", credentials(username, password));
        } finally {
            csrf = null; // rotated by the login
        }
    }

    /** Logs out: the server ends the session and closes this user's WebSockets with 1008. */
    public void logout() {
        try {
            call("POST", "/api/logout", null);
        } finally {
            csrf = null;
        }
    }

    /** The logged-in user's name; {@link ParleyHttpException} with 401 when not logged in. */
    public String me() {
        JsonNode body = call("GET", "/api/me", null);
        return text(body, "username");
    }

    /** Fetches a fresh CSRF token (and its cookie) and keeps it for the next POSTs. */
    public CsrfToken refreshCsrf() {
        JsonNode body = call("GET", "/api/csrf", null);
        String header = body.path("headerName").isString() ? body.path("headerName").asString() : DEFAULT_CSRF_HEADER;
        CsrfToken token = new CsrfToken(header, text(body, "token"));
        csrf = token;
        return token;
    }

    /** The value of cookie {@code name} for the server, if held. */
    public Optional<String> cookie(String name) {
        return cookies.getCookieStore().get(baseUri).stream()
                .filter(c -> c.getName().equals(name))
                .map(HttpCookie::getValue)
                .findFirst();
    }

    /** The {@code Cookie} header to send to the server (empty if none): what the WebSocket handshake needs. */
    public String cookieHeader() {
        try {
            List<String> values = cookies.get(baseUri, Map.of()).getOrDefault("Cookie", List.of());
            return String.join("; ", values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Logs in with tokens ({@code POST /api/tokens}): no session, no cookie; the returned tokens
     * refresh themselves and build clients that authenticate with them. The way for a program to log in.
     */
    public ParleyTokens loginWithTokens(String username, String password) {
        return ParleyTokens.login(baseUri, username, password, http, requestTimeout, SharedResources.scheduler());
    }

    /** A {@link ParleyClient} builder for the same server, handing it this user's cookies on every connect. */
    public ParleyClient.Builder clientBuilder() {
        return ParleyClient.builder(baseUri).cookies(this::cookieHeader);
    }

    public URI baseUri() {
        return baseUri;
    }

    // ---- exchange ---------------------------------------------------------------------------

    private JsonNode call(String method, String path, @Nullable Object body) {
        boolean mutating = !"GET".equals(method);
        HttpResponse<String> response = exchange(method, path, body, mutating);
        if (response.statusCode() == 403 && mutating) {
            csrf = null; // stale or rotated token: one retry with a fresh one
            response = exchange(method, path, body, true);
        }
        if (response.statusCode() / 100 != 2) {
            throw failure(json, method + " " + path, response);
        }
        return parse(response.body());
    }

    private HttpResponse<String> exchange(String method, String path, @Nullable Object body, boolean withCsrf) {
        URI uri = baseUri.resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Accept", "application/json");
        if (withCsrf) {
            CsrfToken token = csrf;
            if (token == null) {
                token = refreshCsrf();
            }
            request.header(token.headerName(), token.token());
        }
        String cookieHeader = cookieHeader();
        if (!cookieHeader.isEmpty()) {
            request.header("Cookie", cookieHeader);
        }
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            cookies.put(uri, response.headers().map());
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException(method + " " + uri + " interrupted"));
        }
    }

    /** The {@link ParleyHttpException} for a non-2xx answer, with the server's JSON error when there is one. */
    static ParleyHttpException failure(JsonMapper json, String request, HttpResponse<String> response) {
        String body = response.body() == null ? "" : response.body();
        try {
            JsonNode tree = json.readTree(body);
            if (tree != null && tree.isObject()) {
                String error = tree.path("error").isString() ? tree.path("error").asString() : null;
                String message = tree.path("message").isString() ? tree.path("message").asString() : "";
                return new ParleyHttpException(request, response.statusCode(), error, message);
            }
        } catch (JacksonException e) {
            // not JSON: report the start of the body
        }
        String excerpt = body.length() > 200 ? body.substring(0, 200) + "…" : body;
        return new ParleyHttpException(request, response.statusCode(), null, excerpt.strip());
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return json.missingNode();
        }
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            return json.missingNode();
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.path(field);
        if (!value.isString()) {
            throw new IllegalStateException("the server's answer has no '" + field + "'");
        }
        return value.asString();
    }

    private static Map<String, String> credentials(String username, String password) {
        return Map.of("username", username, "password", password);
    }
}
