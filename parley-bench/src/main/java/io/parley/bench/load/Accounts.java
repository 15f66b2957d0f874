package io.parley.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;

import io.parley.client.ParleyHttp;
import io.parley.client.ParleyHttpException;
import io.parley.client.ParleyTokens;

/**
 * A pool of bench accounts ({@code <prefix>0}, {@code <prefix>1}, …) and their logins, so that login
 * never becomes the load: each account logs in once — an access token ({@code POST /api/tokens}, the
 * default) or an HTTP session — and its credential is shared by several connections. Logins are
 * cached in a file and reused by the next run when the server still accepts them (one {@code GET
 * /api/me} checks); otherwise every account signs up (or finds its name taken) and logs in. Logins run on a few threads: BCrypt is the server's cost, and a
 * 2-core server does only a few dozen hashes a second.
 */
final class Accounts {

    static final String PASSWORD = "bench-password-1";

    /** How a credential that goes into the {@code Authorization} header starts. */
    static final String BEARER = "Bearer ";

    private Accounts() {}

    /**
     * Credentials of {@code users} distinct accounts on {@code server}: {@code "Bearer <accessToken>"}
     * ({@code POST /api/tokens}) when {@code tokens}, else a {@code Cookie} header (a logged-in HTTP
     * session).
     */
    static List<String> logins(URI server, int users, String prefix, boolean tokens, Path cache, PrintStream log) {
        return logins(server, users, 0, prefix, tokens, cache, log);
    }

    /**
     * As {@link #logins(URI, int, String, boolean, Path, PrintStream)}, for the accounts {@code
     * <prefix><first>} … {@code <prefix><first + users - 1>}: a cluster run signs each node's share
     * of the accounts up on that node.
     */
    static List<String> logins(URI server, int users, int first, String prefix, boolean tokens, Path cache, PrintStream log) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<String> cached = read(cache);
        if (cached.size() >= users && valid(http, server, cached.get(0)) && valid(http, server, cached.get(users - 1))) {
            log.printf("accounts: reusing %d cached logins (%s)%n", users, cache);
            return cached.subList(0, users);
        }
        log.printf("accounts: logging in %d accounts (%s) on %s ...%n", users, tokens ? "access tokens" : "session cookies", server);
        ExecutorService pool = Executors.newFixedThreadPool(2 * Runtime.getRuntime().availableProcessors() + 2);
        try {
            List<Future<String>> logins = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                String name = prefix + (first + i);
                logins.add(pool.submit(() -> login(server, http, name, tokens)));
            }
            List<String> cookies = new ArrayList<>();
            for (Future<String> login : logins) {
                cookies.add(login.get());
            }
            write(cache, cookies);
            return cookies;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("login failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Signs up first and logs in once: two BCrypt hashes on the server for a new account (a login
     * tried first would cost a third), one signup refused with 409 plus the login for an existing one.
     */
    private static String login(URI server, HttpClient http, String name, boolean tokens) {
        ParleyHttp user = new ParleyHttp(server, http, Duration.ofSeconds(60));
        try {
            user.signup(name, PASSWORD);
        } catch (ParleyHttpException e) {
            if (e.status() != 409) {
                throw e;
            }
        }
        if (tokens) {
            // The access token only: the generator's sockets do not refresh (started nodes issue tokens for 4 h).
            try (ParleyTokens login = ParleyTokens.login(server, name, PASSWORD, http, Duration.ofSeconds(60), SCHEDULER)) {
                return BEARER + login.accessToken();
            }
        }
        user.login(name, PASSWORD);
        return user.cookieHeader();
    }

    /** The HTTP header that carries {@code credential}: a bearer token or a session cookie. */
    static String header(String credential) {
        return credential.startsWith(BEARER) ? "Authorization" : "Cookie";
    }

    /** ParleyTokens schedules its refresh on it; every login is closed at once, so nothing ever runs. */
    private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "bench-token-refresh");
        thread.setDaemon(true);
        return thread;
    });

    private static boolean valid(HttpClient http, URI server, String credential) {
        try {
            HttpResponse<Void> me = http.send(HttpRequest.newBuilder(server.resolve("/api/me"))
                    .header(header(credential), credential)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
            return me.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<String> read(Path cache) {
        try {
            return Files.isRegularFile(cache) ? Files.readAllLines(cache) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void write(Path cache, List<String> cookies) {
        try {
            Files.createDirectories(cache.toAbsolutePath().getParent());
            Files.write(cache, cookies);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
