package io.parley.bench.load;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A server under test: one the tool started (a Parley node from {@code parley-server-exec.jar}, or the
 * Socket.IO peer of {@code bench/socketio}) or one already running, given by URL and pid. Started
 * Parley nodes get the abuse limits raised: the frame rate ({@code parley.websocket.frames-per-second})
 * and the user's send rate ({@code parley.chat.send-rate}), since a publisher sends far more than a
 * person's 20 frames a second, and the password attempts per address ({@code parley.login.*}), since
 * {@link Accounts} logs in every bench account from one address; and access tokens that outlive a run
 * ({@code parley.tokens.access-lifetime=4h}): the generator's sockets hold the token they opened
 * with and do not refresh it. A node already running needs the same (see docs/benchmarks.md).
 * A scenario may add properties of its own ({@code extra}: the per-user and node-wide connection
 * limits of a cluster S1, see {@link Target.NodeSettings}).
 */
final class Node implements AutoCloseable {

    /** How to start Parley nodes. */
    record ParleyLaunch(Path jar, Path java, List<String> jvmOptions, Path outDir) {}

    private final String name;
    private final URI url;
    private final @Nullable Process process;
    private final @Nullable NodeProbe probe;

    private Node(String name, URI url, @Nullable Process process, @Nullable NodeProbe probe) {
        this.name = name;
        this.url = url;
        this.process = process;
        this.probe = probe;
    }

    /** A node that runs already; without a pid there are no server-side figures. */
    static Node running(URI url, long pid) {
        return new Node("node", url, null, pid > 0 ? new NodeProbe(pid) : null);
    }

    /**
     * Starts a Parley node; {@code cluster} for the cluster profile (Redis at 127.0.0.1:6379 with its
     * own key prefix, the given PostgreSQL database), else standalone with H2 in a fresh data dir or
     * with {@code jdbcUrl} when set.
     */
    static Node startParley(ParleyLaunch launch, String name, boolean cluster, @Nullable String jdbcUrl, String redisPrefix,
            Map<String, String> extra) {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(launch.java().toString());
        command.addAll(launch.jvmOptions());
        command.addAll(List.of("-jar", launch.jar().toString(), "--server.port=" + port,
                "--parley.node-id=" + name,
                "--parley.data-dir=" + launch.outDir().resolve(name + "-data"),
                "--parley.websocket.frames-per-second=1000000", "--parley.websocket.frame-burst=1000000",
                "--parley.chat.send-rate=1000000", "--parley.chat.send-burst=1000000",
                "--parley.login.attempts=1000000", "--parley.login.burst=1000000",
                "--parley.tokens.access-lifetime=4h",
                "--logging.level.root=WARN", "--logging.level.io.parley=INFO"));
        if (cluster) {
            command.addAll(List.of("--spring.profiles.active=cluster", "--parley.redis.key-prefix=" + redisPrefix));
        }
        if (jdbcUrl != null) {
            command.addAll(List.of("--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=postgres",
                    "--spring.datasource.password="));
        }
        extra.forEach((k, v) -> command.add("--" + k + "=" + v));
        return start(name, command, Map.of(), launch.outDir(), port, "/actuator/health/readiness");
    }

    /** Starts the Socket.IO peer ({@code node bench/socketio/server.js}), with the Redis adapter if {@code redisUrl}. */
    static Node startSocketIo(Path serverJs, String name, @Nullable String redisUrl, Path outDir) {
        int port = freePort();
        Map<String, String> env = redisUrl == null ? Map.of("PORT", Integer.toString(port))
                : Map.of("PORT", Integer.toString(port), "REDIS_URL", redisUrl);
        return start(name, List.of("node", serverJs.toString()), env, outDir, port, "/health");
    }

    private static Node start(String name, List<String> command, Map<String, String> env, Path outDir, int port, String readyPath) {
        try {
            Files.createDirectories(outDir);
            Path log = outDir.resolve(name + ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            Node node = new Node(name, URI.create("http://127.0.0.1:" + port), process, new NodeProbe(process.pid()));
            node.awaitReady(readyPath, Duration.ofSeconds(120), log);
            return node;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + command, e);
        }
    }

    private void awaitReady(String path, Duration atMost, Path log) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                process.waitFor(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException(name + " not ready within " + atMost + "; see " + log);
    }

    String name() {
        return name;
    }

    URI url() {
        return url;
    }

    @Nullable NodeProbe probe() {
        return probe;
    }

    /** SIGKILL, as a crash would (S6). */
    void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGTERM, then SIGKILL after 20 s; a node the tool did not start is left alone. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
