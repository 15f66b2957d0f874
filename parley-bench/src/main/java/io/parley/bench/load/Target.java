package io.parley.bench.load;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The servers of one scenario and how to reach them: Parley nodes or Socket.IO peers that the tool
 * starts (and stops), or one running server given by {@code --url} (and {@code --pid} for the
 * server-side figures). Not thread-safe: used by the scenario's thread.
 */
final class Target implements AutoCloseable {

    enum Kind { PARLEY, SOCKETIO }

    private final Kind kind;
    private final List<Node> nodes;
    private final PrintStream log;

    private Target(Kind kind, List<Node> nodes, PrintStream log) {
        this.kind = kind;
        this.nodes = nodes;
        this.log = log;
    }

    /** How the tool starts Parley nodes unless the command line says otherwise: JVM options ({@code --node-jvm}) and properties. */
    record NodeSettings(String jvmOptions, Map<String, String> properties) {
        static final NodeSettings DEFAULT = new NodeSettings("-Xmx2g -XX:+UseG1GC", Map.of());
    }

    /**
     * {@code count} servers: the running one of {@code --url}, or started ones — in cluster mode
     * (Redis, and PostgreSQL for Parley) when {@code cluster}, which {@code count > 1} requires.
     * {@code store} is {@code h2} or {@code postgres} for a standalone Parley node.
     */
    static Target open(Options options, int count, boolean cluster, String store, Path out, PrintStream log) {
        return open(options, count, cluster, store, NodeSettings.DEFAULT, out, log);
    }

    /**
     * As {@link #open(Options, int, boolean, String, Path, PrintStream)}, with started Parley nodes
     * run as {@code settings} say. Every started node allows {@code --per-user} connections per user
     * ({@code parley.connections.max-per-user}) when that is above the node's default of 10.
     */
    static Target open(Options options, int count, boolean cluster, String store, NodeSettings settings, Path out, PrintStream log) {
        Kind kind = Kind.valueOf(options.string("target", "parley").toUpperCase());
        if (options.has("url")) {
            if (count > 1) {
                throw new IllegalArgumentException("this scenario starts " + count + " nodes: drop --url");
            }
            long pid = Long.parseLong(options.string("pid", "0"));
            return new Target(kind, List.of(Node.running(URI.create(options.string("url", "")), pid)), log);
        }
        String redis = options.string("redis", "redis://127.0.0.1:6379");
        String jdbc = options.string("jdbc-url", "jdbc:postgresql://127.0.0.1:5432/parley_bench");
        Node.ParleyLaunch launch = new Node.ParleyLaunch(
                Path.of(options.string("jar", "parley-server/target/parley-server-exec.jar")).toAbsolutePath(),
                Path.of(options.string("node-java", Path.of(System.getProperty("java.home"), "bin", "java").toString())),
                Arrays.stream(options.string("node-jvm", settings.jvmOptions()).trim().split("\\s+")).filter(s -> !s.isEmpty()).toList(),
                out);
        Map<String, String> properties = new LinkedHashMap<>(settings.properties());
        int perUser = options.integer("per-user", 10);
        if (perUser > 10) {
            properties.putIfAbsent("parley.connections.max-per-user", Integer.toString(perUser));
        }
        if (cluster && options.has("redis")) {
            properties.putIfAbsent("spring.data.redis.url", redis); // else application-cluster.yml's, the same default
        }
        Path socketIo = Path.of(options.string("socketio", "bench/socketio/server.js")).toAbsolutePath();
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        List<Node> nodes = new ArrayList<>();
        try {
            for (int i = 1; i <= count; i++) {
                String name = (kind == Kind.PARLEY ? "parley-" : "socketio-") + i;
                log.printf("starting %s%s ...%n", name, cluster ? " (cluster)" : "");
                nodes.add(kind == Kind.PARLEY
                        ? Node.startParley(launch, name, cluster, cluster || store.equals("postgres") ? jdbc : null, prefix, properties)
                        : Node.startSocketIo(socketIo, name, cluster ? redis : null, out));
                log.printf("%s ready at %s (pid %s)%n", name, nodes.get(nodes.size() - 1).url(),
                        nodes.get(nodes.size() - 1).probe() == null ? "?" : nodes.get(nodes.size() - 1).probe().pid());
            }
        } catch (RuntimeException e) {
            nodes.forEach(Node::close);
            throw e;
        }
        return new Target(kind, nodes, log);
    }

    Kind kind() {
        return kind;
    }

    Wire wire() {
        return kind == Kind.PARLEY ? new ParleyWire() : new SocketIoWire();
    }

    List<Node> nodes() {
        return nodes;
    }

    Node node(int index) {
        return nodes.get(index % nodes.size());
    }

    List<NodeProbe> probes() {
        return nodes.stream().map(Node::probe).filter(p -> p != null).toList();
    }

    /**
     * Credentials for {@code connections} connections, {@code perUser} sharing one account's login:
     * {@code "Bearer <accessToken>"} (default, {@code --auth=token}) or a {@code SESSION} cookie
     * header ({@code --auth=cookie}); Socket.IO has no login (empty strings).
     */
    List<String> credentials(Options options, int connections) {
        return credentials(options, nodes.get(0), connections, 0);
    }

    /**
     * Credentials for connections spread over the nodes, {@code shares.get(k)} of them for node
     * {@code k}: each node's accounts are its own ({@code --per-user} connections to one, numbered on
     * from the previous node's) and sign up and log in on that node, so the BCrypt work is spread too.
     */
    List<List<String>> credentials(Options options, List<Integer> shares) {
        List<List<String>> byNode = new ArrayList<>();
        int perUser = options.integer("per-user", 10);
        int first = 0;
        for (int k = 0; k < shares.size(); k++) {
            byNode.add(credentials(options, node(k), shares.get(k), first));
            first += (shares.get(k) + perUser - 1) / perUser;
        }
        return byNode;
    }

    private List<String> credentials(Options options, Node node, int connections, int firstAccount) {
        int perUser = options.integer("per-user", 10);
        List<String> cookies = new ArrayList<>(connections);
        if (kind == Kind.SOCKETIO) {
            for (int i = 0; i < connections; i++) {
                cookies.add("");
            }
            return cookies;
        }
        int users = (connections + perUser - 1) / perUser;
        URI url = node.url();
        String prefix = options.string("user-prefix", "bench");
        String auth = options.string("auth", "token");
        if (!auth.equals("token") && !auth.equals("cookie")) {
            throw new IllegalArgumentException("--auth must be token or cookie, not " + auth);
        }
        // Kept across runs, so a running server's accounts log in once (a started node gets a new port).
        Path cache = Path.of("target/bench-load/" + auth + "s-" + url.getHost() + "-" + url.getPort() + "-" + prefix
                + (firstAccount > 0 ? "-from" + firstAccount : "") + ".txt");
        List<String> sessions = Accounts.logins(url, users, firstAccount, prefix, auth.equals("token"), cache, log);
        for (int i = 0; i < connections; i++) {
            cookies.add(sessions.get(i / perUser));
        }
        return cookies;
    }

    @Override
    public void close() {
        nodes.forEach(Node::close);
    }
}
