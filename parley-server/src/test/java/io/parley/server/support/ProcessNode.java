package io.parley.server.support;

import java.io.IOException;
import java.net.InetSocketAddress;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * One Parley node as a separate process, started from the executable jar ({@code package} builds it
 * before Failsafe runs), so that a test can kill it with SIGKILL ({@link #kill()}) as a crash would.
 * Its output goes to {@code target/<name>.log}.
 */
public final class ProcessNode implements AutoCloseable {

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private ProcessNode(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** The executable jar of this build. */
    public static Path jar() {
        Path jar = Path.of(System.getProperty("basedir", ".")).resolve("target/parley-server-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the ITs with 'verify', which packages first");
        }
        return jar;
    }

    /** Starts {@code java -jar parley-server-exec.jar --server.port=<free> --k=v...}; does not wait for readiness. */
    public static ProcessNode start(String name, Map<String, String> properties) {
        return start(name, properties, List.of());
    }

    /**
     * As {@link #start(String, Map)}, from a shell that first runs {@code ulimit -n fileLimit}: the
     * node may hold at most {@code fileLimit} file descriptors.
     */
    public static ProcessNode startWithFileLimit(String name, Map<String, String> properties, int fileLimit) {
        return start(name, properties, List.of("bash", "-c", "ulimit -n " + fileLimit + " && exec \"$@\"", "bash"));
    }

    private static ProcessNode start(String name, Map<String, String> properties, List<String> launcher) {
        int port = freePort();
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-jar", jar().toAbsolutePath().toString(),
                "--server.port=" + port,
                "--logging.level.root=WARN",
                "--logging.level.io.parley=INFO"));
        Map<String, String> all = new java.util.LinkedHashMap<>(ParleyNode.TEST_DEFAULTS);
        all.putAll(properties);
        all.forEach((key, value) -> command.add("--" + key + "=" + value));
        Path log = Path.of(System.getProperty("basedir", ".")).resolve("target/" + name + ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new ProcessNode(name, port, process, log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
    }

    /**
     * How long a node process may take to become ready: a few seconds on a quiet machine, but over
     * a minute at a load average of 27 on two cores (three nodes started at once beside the other
     * test JVM and other engineers' builds, each JIT-compiling with C1 only).
     */
    public static final Duration STARTUP = Duration.ofMinutes(3);

    /** {@link #awaitReady(Duration)} within {@link #STARTUP}. */
    public ProcessNode awaitReady() {
        return awaitReady(STARTUP);
    }

    /** Waits (bounded) until {@code /actuator/health/readiness} answers 200. */
    public ProcessNode awaitReady(Duration atMost) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Awaitility.await(name + " ready").atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health/readiness"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                return response.statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
        return this;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** What the node has written to its log so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + log, e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no graceful close, no deregistration. Waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, as an orchestrator stops a node: it drains and shuts down gracefully. Returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** Waits (bounded) until the process has exited; returns its exit code (143 after a SIGTERM it handled). */
    public int awaitExit(Duration atMost) {
        try {
            if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " still runs " + atMost + " later; see " + log);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM (graceful shutdown), then SIGKILL after 20 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
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

    /**
     * A port for a child process to listen on, free now. A port the kernel hands out (bind to 0) is
     * from the ephemeral range, which every outgoing connection of this machine draws from too: in
     * the moments before the child binds it, a client socket of a test running beside this one (in
     * the other Failsafe fork) may take it. So the port comes from below the ephemeral range
     * (32768 and up on Linux), from a band of its own per fork ({@code parley.test.fork}, set by
     * the POM from Failsafe's fork number), tried in turn from a random point.
     */
    public static int freePort() {
        int fork = Integer.getInteger("parley.test.fork", 1);
        int band = 2_000;
        int first = 20_000 + ((fork - 1) % 6) * band;
        int start = ThreadLocalRandom.current().nextInt(band);
        for (int i = 0; i < band; i++) {
            int port = first + (start + i) % band;
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException taken) {
                // the next one
            }
        }
        throw new IllegalStateException("no free port in " + first + ".." + (first + band - 1));
    }
}
