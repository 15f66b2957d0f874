package io.parley.server.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A non-browser client of the token API: no cookie jar, no CSRF token, only what it is given.
 * Answers are {@link Browser.Response}s for the same assertions.
 */
public final class TokenClient {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code POST /api/tokens} with username and password. */
    public Browser.Response issue(String base, String username, String password) {
        return post(base + "/api/tokens", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}", null);
    }

    /** Signs {@code username} up (through a throwaway browser, ignoring "taken") and issues tokens; fails the test otherwise. */
    public Browser.Response signedUp(String base, String username, String password) {
        new Browser().signup(base, username, password);
        Browser.Response issued = issue(base, username, password);
        if (issued.status() != 200) {
            throw new AssertionError("tokens for " + username + " refused: " + issued.status() + " " + issued.body());
        }
        return issued;
    }

    public Browser.Response refresh(String base, String refreshToken) {
        return post(base + "/api/tokens/refresh", "{\"refreshToken\":\"" + refreshToken + "\"}", null);
    }

    public Browser.Response revoke(String base, String refreshToken) {
        return post(base + "/api/tokens/revoke", "{\"refreshToken\":\"" + refreshToken + "\"}", null);
    }

    public Browser.Response get(String url, String accessToken) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + accessToken).GET());
    }

    public Browser.Response post(String url, String json, String accessToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (accessToken != null) {
            request.header("Authorization", "Bearer " + accessToken);
        }
        return send(request);
    }

    private Browser.Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            return new Browser.Response(response.statusCode(), response.body(), response);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
