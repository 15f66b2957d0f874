package io.parley.server.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * A real HAProxy (the Debian package, {@code /usr/sbin/haproxy}) in front of some nodes, run in the
 * foreground as this test's child process with a generated configuration: leastconn balancing,
 * health checks on readiness, WebSocket-friendly timeouts, and redispatch of a connection that a dead
 * node refuses. The same settings as {@code scripts/cluster}, with faster health checks.
 */
public final class HaProxy implements AutoCloseable {

    private final int port;
    private final Process process;
    private final Path log;

    private HaProxy(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    public static String config(int port, List<ProcessNode> nodes) {
        return config(port, nodes, List.of());
    }

    /**
     * The configuration for {@code nodes}, of which {@code backups} are HAProxy {@code backup} servers:
     * they get traffic only while every other node is down (not ready), as a node that takes over
     * the clients of a draining one.
     */
    public static String config(int port, List<ProcessNode> nodes, List<ProcessNode> backups) {
        StringBuilder config = new StringBuilder("""
                global
                    maxconn 4096
                defaults
                    mode http
                    option redispatch
                    retries 3
                    timeout connect 1s
                    timeout client 30s
                    timeout server 30s
                    timeout tunnel 1h
                    timeout client-fin 5s
                frontend parley
                    bind 127.0.0.1:%d
                    default_backend nodes
                backend nodes
                    balance leastconn
                    option httpchk GET /actuator/health/readiness
                    http-check expect status 200
                    # A node busy taking a reconnect storm may answer a check late: not a reason to take it out.
                    timeout check 2s
                    default-server inter 300ms fall 2 rise 2
                """.formatted(port));
        for (ProcessNode node : nodes) {
            config.append("    server ").append(node.name()).append(" 127.0.0.1:").append(node.port()).append(" check")
                    .append(backups.contains(node) ? " backup\n" : "\n");
        }
        return config.toString();
    }

    public static HaProxy start(List<ProcessNode> nodes) {
        return start(nodes, List.of());
    }

    /** As {@link #start(List)}, with {@code backups} as {@code backup} servers (see {@link #config(int, List, List)}). */
    public static HaProxy start(List<ProcessNode> nodes, List<ProcessNode> backups) {
        return start("haproxy-it", nodes, backups);
    }

    /** As {@link #start(List, List)}, with its configuration and log in {@code target/<name>-<port>.cfg} and {@code .log}. */
    public static HaProxy start(String name, List<ProcessNode> nodes, List<ProcessNode> backups) {
        int port = ProcessNode.freePort();
        try {
            Path dir = Path.of(System.getProperty("basedir", ".")).resolve("target");
            // Named by port too: the other Failsafe fork may run a proxy of its own.
            Path config = dir.resolve(name + "-" + port + ".cfg");
            Path log = dir.resolve(name + "-" + port + ".log");
            Files.writeString(config, config(port, nodes, backups));
            Process process = new ProcessBuilder("haproxy", "-db", "-f", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            HaProxy proxy = new HaProxy(port, process, log);
            Awaitility.await("haproxy listening").atMost(Duration.ofSeconds(10)).until(proxy::accepts);
            return proxy;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start haproxy (scripts/services installs it)", e);
        }
    }

    private boolean accepts() {
        if (!process.isAlive()) {
            throw new IllegalStateException("haproxy exited with " + process.exitValue() + "; see " + log);
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
