package io.parley.bench.memory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client side of the idle-memory measurement ({@code scripts/bench-memory}): logs in
 * {@code ceil(N / per-user)} accounts over the HTTP API (signing them up when they do not exist),
 * then, on a command from standard input, opens N WebSockets with their {@code SESSION} cookies
 * and keeps them open and silent after one first frame (a {@code ping}, which the server requires
 * within {@code parley.websocket.first-frame-timeout}); the JDK answers the server's pings. It runs in a process of its own, so the server's process keeps
 * its descriptors for the server's sockets. JDK only: it runs from its source file
 * ({@code java IdleConnections.java}) without a build.
 *
 * <p>Protocol on standard input/output, one line each: it prints {@code LOGGED_IN <users>}, then
 * waits for {@code open}; prints {@code OPEN <n>} once every socket got its {@code welcome}; then
 * waits for {@code close} (or the end of input), closes them and exits.
 *
 * <p>Arguments: {@code <base-url> <connections> [per-user=10] [http-clients=8] [user-prefix=idle]}.
 */
public final class IdleConnections {

    private static final String PASSWORD = "idle-password";
    private static final Pattern COOKIE = Pattern.compile("^(SESSION|XSRF-TOKEN)=([^;]*)");

    private IdleConnections() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: IdleConnections <base-url> <connections> [per-user=10] [http-clients=8] [user-prefix=idle]");
            System.exit(2);
        }
        URI base = URI.create(args[0]);
        int connections = Integer.parseInt(args[1]);
        int perUser = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int clientCount = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        String prefix = args.length > 4 ? args[4] : "idle";
        int users = (connections + perUser - 1) / perUser;

        List<HttpClient> clients = new ArrayList<>();
        for (int i = 0; i < clientCount; i++) {
            clients.add(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
        }
        String[] sessions = login(clients.get(0), base, prefix, users);
        System.out.println("LOGGED_IN " + users);

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (!"open".equals(in.readLine())) {
            return;
        }
        long start = System.nanoTime();
        List<WebSocket> sockets = open(clients, base, sessions, connections, perUser);
        System.out.printf("OPEN %d in %.1f s%n", sockets.size(), (System.nanoTime() - start) / 1e9);

        String line;
        while ((line = in.readLine()) != null && !"close".equals(line)) {
            // idle until told to stop
        }
        for (WebSocket socket : sockets) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
        System.exit(0);
    }

    /** Signs up (a 409 means the account exists) and logs in {@code users} accounts, 8 at a time. */
    private static String[] login(HttpClient http, URI base, String prefix, int users) throws Exception {
        String[] sessions = new String[users];
        ExecutorService pool = Executors.newFixedThreadPool(8);
        ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < users; i++) {
            int user = i;
            pool.execute(() -> {
                try {
                    String name = prefix + "_" + user;
                    String body = "{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}";
                    String csrf = cookie(http.send(HttpRequest.newBuilder(base.resolve("/api/csrf")).build(),
                            HttpResponse.BodyHandlers.discarding()), "XSRF-TOKEN");
                    HttpResponse<String> signup = http.send(post(base, "/api/signup", body, csrf), HttpResponse.BodyHandlers.ofString());
                    if (signup.statusCode() != 201 && signup.statusCode() != 409) {
                        throw new IllegalStateException("signup " + name + ": " + signup.statusCode() + " " + signup.body());
                    }
                    HttpResponse<String> login = http.send(post(base, "/api/login", body, csrf), HttpResponse.BodyHandlers.ofString());
                    if (login.statusCode() != 200) {
                        throw new IllegalStateException("login " + name + ": " + login.statusCode() + " " + login.body());
                    }
                    sessions[user] = cookie(login, "SESSION");
                }
                catch (Exception e) {
                    failures.add(e);
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.HOURS);
        if (!failures.isEmpty()) {
            throw failures.peek();
        }
        return sessions;
    }

    private static HttpRequest post(URI base, String path, String json, String csrf) {
        return HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .header("X-XSRF-TOKEN", csrf)
                .header("Cookie", "XSRF-TOKEN=" + csrf)
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
    }

    private static String cookie(HttpResponse<?> response, String name) {
        for (String header : response.headers().allValues("Set-Cookie")) {
            Matcher m = COOKIE.matcher(header);
            if (m.find() && m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        throw new IllegalStateException("no " + name + " cookie in the answer to " + response.request().uri()
                + " (" + response.statusCode() + ")");
    }

    /** Opens the sockets, at most 256 handshakes in flight, round robin over the clients. */
    private static List<WebSocket> open(List<HttpClient> clients, URI base, String[] sessions, int connections,
            int perUser) throws InterruptedException {
        URI ws = URI.create(base.toString().replaceFirst("^http", "ws")).resolve("/ws");
        Semaphore inFlight = new Semaphore(256);
        CountDownLatch welcomed = new CountDownLatch(connections);
        AtomicInteger failed = new AtomicInteger();
        ConcurrentLinkedQueue<WebSocket> sockets = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < connections; i++) {
            inFlight.acquire();
            CompletableFuture<WebSocket> opened = clients.get(i % clients.size()).newWebSocketBuilder()
                    .header("Cookie", "SESSION=" + sessions[i / perUser])
                    .connectTimeout(Duration.ofSeconds(30))
                    .buildAsync(ws, new Listener(welcomed, inFlight));
            opened.whenComplete((socket, error) -> {
                if (error != null) {
                    if (failed.incrementAndGet() <= 5) {
                        Throwable cause = error.getCause() != null ? error.getCause() : error;
                        System.err.println("handshake failed: " + (cause instanceof WebSocketHandshakeException refused
                                ? "HTTP " + refused.getResponse().statusCode() : cause.toString()));
                    }
                    inFlight.release();
                    welcomed.countDown();
                }
                else {
                    sockets.add(socket);
                }
            });
        }
        if (!welcomed.await(10, TimeUnit.MINUTES)) {
            System.err.println("timed out: " + welcomed.getCount() + " sockets without a welcome");
        }
        if (failed.get() > 0) {
            System.err.println(failed.get() + " handshakes failed");
        }
        return new ArrayList<>(sockets);
    }

    /** Counts the first frame ({@code welcome}) and then reads and ignores whatever comes. */
    private static final class Listener implements WebSocket.Listener {

        private final CountDownLatch welcomed;
        private final Semaphore inFlight;
        private boolean first = true;

        Listener(CountDownLatch welcomed, Semaphore inFlight) {
            this.welcomed = welcomed;
            this.inFlight = inFlight;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            if (first && last) {
                first = false;
                // One frame, as every Parley client sends: the server closes a socket that says nothing (4000).
                socket.sendText("{\"type\":\"ping\",\"id\":\"hello\"}", true);
                inFlight.release();
                welcomed.countDown();
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            System.err.println("closed by the server: " + statusCode + " " + reason);
            return null;
        }
    }
}
