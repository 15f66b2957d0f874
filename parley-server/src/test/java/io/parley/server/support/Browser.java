package io.parley.server.support;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A test's user agent: one cookie jar shared by every node it talks to (as behind a load balancer,
 * cookies are per host, not per port), and the CSRF dance done like a browser script would: read
 * the {@code XSRF-TOKEN} cookie, echo it in {@code X-XSRF-TOKEN}.
 */
public final class Browser {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final CookieManager cookies = new CookieManager();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).connectTimeout(Duration.ofSeconds(5)).build();

    public record Response(int status, String body, HttpResponse<String> raw) {

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String field(String name) {
            return json().path(name).asString();
        }

        public Optional<String> header(String name) {
            return raw.headers().firstValue(name);
        }
    }

    public Response get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    public Response post(String url, String json) {
        return send(withCsrf(url, HttpRequest.newBuilder(URI.create(url)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response put(String url, String json) {
        return send(withCsrf(url, HttpRequest.newBuilder(URI.create(url)))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A POST without the CSRF header, as a cross-site form would send it. */
    public Response postWithoutCsrf(String url, String json) {
        return send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response signup(String base, String username, String password) {
        return post(base + "/api/signup", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
    }

    public Response login(String base, String username, String password) {
        return post(base + "/api/login", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
    }

    /** Signs up (ignoring "taken") and logs in; fails the test if login fails. */
    public Browser loggedIn(String base, String username, String password) {
        signup(base, username, password);
        Response login = login(base, username, password);
        if (login.status() != 200) {
            throw new AssertionError("login of " + username + " failed: " + login.status() + " " + login.body());
        }
        return this;
    }

    public Optional<String> cookie(String name) {
        return cookies.getCookieStore().getCookies().stream()
                .filter(c -> c.getName().equals(name)).map(HttpCookie::getValue).findFirst();
    }

    public CookieManager cookieManager() {
        return cookies;
    }

    private HttpRequest.Builder withCsrf(String url, HttpRequest.Builder request) {
        if (cookie("XSRF-TOKEN").isEmpty()) {
            URI uri = URI.create(url);
            get(uri.getScheme() + "://" + uri.getAuthority() + "/api/csrf");
        }
        return request.header("X-XSRF-TOKEN", cookie("XSRF-TOKEN").orElseThrow());
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
