package io.parley.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * S1: ramps to {@code connections} idle, authenticated connections on one node and reports what
 * each costs the server — RSS and heap after a forced GC ({@code jcmd GC.run}), marginal over the
 * node with its users logged in but no socket open — and the connect latency (from the intended
 * start of a handshake to the server's first frame).
 *
 * <p>With {@code --nodes=N} (N > 1, or the preset {@code S1-cluster}) the connections are spread
 * evenly over N nodes in cluster mode ({@link #runCluster}): each node's share comes from worker
 * processes of its own, its accounts sign up on it, and the same figures are reported per node and
 * in total.
 */
final class IdleCapacity {

    /**
     * Server readings: before any login, after the logins, and with every connection open; of the
     * node, or the sum over the nodes of a cluster run, whose per-node figures are in {@code cluster}
     * (absent from the JSON for one node).
     */
    record Result(int requested, int connected, int failed, String firstFailure, double connectSeconds, Latency connectLatency,
            NodeProbe.Sample empty, NodeProbe.Sample loggedIn, NodeProbe.Sample loaded,
            double rssPerConnectionBytes, double heapPerConnectionBytes, double fdsPerConnection,
            double rssPerConnectionWithSessionsBytes,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Cluster cluster) {}

    /**
     * A cluster run: the figures of each node, the generator processes, and Redis's {@code
     * used_memory} (the whole Redis instance: -1 when it did not answer) at the same three points.
     */
    record Cluster(List<NodeResult> nodes, int processes, long redisEmptyBytes, long redisLoggedInBytes, long redisLoadedBytes,
            double redisPerConnectionBytes) {}

    /** One node of a cluster run: its share, what of it connected, and what the connections cost it. */
    record NodeResult(String node, int requested, int connected, int failed, String firstFailure, int processes, Latency connectLatency,
            NodeProbe.Sample empty, NodeProbe.Sample loggedIn, NodeProbe.Sample loaded,
            double rssPerConnectionBytes, double heapPerConnectionBytes, double fdsPerConnection,
            double rssPerConnectionWithSessionsBytes) {}

    /** One generator process holds at most this many sockets, under its 20,000 descriptors. */
    static final int SOCKETS_PER_PROCESS = 18_000;

    /**
     * The connection-heavy flags of docs/benchmarks.md ("Heap and GC for a connection-heavy node"),
     * without the heap size, which {@link #nodeSettings} adds for the node's share.
     */
    static final String CONNECTION_HEAVY_JVM = "-XX:+UseSerialGC -Xss512k -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=10 -XX:MaxDirectMemorySize=64m";

    /** Descriptors a node holds besides its client sockets (jars, logs, the database pool, Redis, selectors): a generous bound. */
    private static final int NODE_OWN_DESCRIPTORS = 400;

    private IdleCapacity() {}

    /** Each node's share of {@code connections} over {@code nodes}: as equal as integers allow. */
    static List<Integer> shares(int connections, int nodes) {
        List<Integer> shares = new ArrayList<>();
        for (int k = 0; k < nodes; k++) {
            shares.add((int) ((long) connections * (k + 1) / nodes - (long) connections * k / nodes));
        }
        return shares;
    }

    /**
     * How the nodes of a cluster run start: the connection-heavy JVM flags with a heap for the
     * node's share (48 KB per socket, measured 38 KB live, plus 256 MB, in steps of 64 MB), and
     * {@code parley.connections.max} raised just above the share (its default, 90 % of the
     * container's limit, is 16,200 with 20,000 descriptors: below the 16,667 of 100,000 over six
     * nodes). The descriptor threshold keeps its default (a tenth of the limit in reserve): a share
     * that would need more fails here, before anything starts.
     */
    static Target.NodeSettings nodeSettings(int connections, int nodes) {
        return nodeSettings(connections, nodes, descriptorLimit());
    }

    /** As {@link #nodeSettings(int, int)}, for nodes with {@code fdLimit} descriptors (-1: unknown, not checked). */
    static Target.NodeSettings nodeSettings(int connections, int nodes, long fdLimit) {
        int share = (connections + nodes - 1) / nodes;
        if (fdLimit > 0 && share + NODE_OWN_DESCRIPTORS > fdLimit * 0.9) {
            throw new IllegalArgumentException(share + " connections per node is more than a node admits with " + fdLimit
                    + " descriptors (a tenth kept in reserve, ~" + NODE_OWN_DESCRIPTORS + " for the node itself): use more --nodes");
        }
        long heapMb = (256 + share * 48L / 1024 + 63) / 64 * 64;
        return new Target.NodeSettings("-Xmx" + heapMb + "m " + CONNECTION_HEAVY_JVM,
                Map.of("parley.connections.max", Integer.toString(share + Math.max(100, share / 50))));
    }

    /** This process's descriptor limit ({@code Max open files} of {@code /proc/self/limits}), which the nodes it starts inherit; -1 if unknown. */
    private static long descriptorLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }

    static Result run(Options options, Generator generator, Target target, Monitor monitor, Path out, PrintStream log) {
        if (target.nodes().size() > 1) {
            return runCluster(options, target, monitor, out, log);
        }
        int connections = options.integer("connections", 19_000);
        double rate = options.decimal("connect-rate", 1000);
        double hold = options.decimal("hold", 5);
        NodeProbe probe = target.probes().isEmpty() ? null : target.probes().get(0);
        monitor.phase("S1 empty");
        NodeProbe.Sample empty = probe == null ? null : probe.afterGc();
        List<String> cookies = target.credentials(options, connections);
        NodeProbe.Sample loggedIn = probe == null ? null : probe.afterGc();
        monitor.phase("S1 ramp");
        generator.connectLatency().reset();
        // One process holds ~18,000 sockets under the 20,000-descriptor limit; beyond, worker processes.
        int processes = options.integer("processes", (connections + 17_999) / 18_000);
        long start = System.nanoTime();
        Ramp.Result ramp;
        Latency connect;
        Workers workers = null;
        if (processes > 1) {
            workers = Workers.start(processes, target.node(0).url(), target.kind(), cookies, rate, 2, out, log);
            monitor.connections(workers::open);
            try {
                if (!workers.awaitDone((long) (connections / rate) + 300, TimeUnit.SECONDS)) {
                    log.println("S1: workers did not finish their ramp in time");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ramp = new Ramp.Result(List.of(), workers.failed(), workers.failed() > 0 ? "see the workers' output" : "");
            connect = Latency.of(workers.connectLatency());
        } else {
            ramp = Ramp.open(generator, target.wire(), target.node(0).url(), cookies, rate, 500);
            connect = Latency.of(generator.connectLatency().getIntervalHistogram());
        }
        double connectSeconds = (System.nanoTime() - start) / 1e9;
        monitor.phase("S1 hold");
        FanOut.parkUntil(System.nanoTime() + (long) (hold * 1e9));
        NodeProbe.Sample loaded = probe == null ? null : probe.afterGc();
        int open = workers != null ? workers.open() : generator.open();
        log.printf("%nS1 %s: %d of %d connected in %.1f s over %d process(es) (%d failed%s); connect p50 %.1f p99 %.1f max %.1f ms%n",
                target.kind(), open, connections, connectSeconds, processes, ramp.failed(), ramp.failed() > 0 ? ": " + ramp.firstFailure() : "",
                connect.p50Ms(), connect.p99Ms(), connect.maxMs());
        double rssPer = 0;
        double heapPer = 0;
        double fdsPer = 0;
        double rssWithSessions = 0;
        if (probe != null && open > 0) {
            rssPer = (loaded.rssBytes() - loggedIn.rssBytes()) / (double) open;
            heapPer = loaded.heapUsedBytes() < 0 ? -1 : (loaded.heapUsedBytes() - loggedIn.heapUsedBytes()) / (double) open;
            fdsPer = (loaded.openFds() - loggedIn.openFds()) / (double) open;
            rssWithSessions = (loaded.rssBytes() - empty.rssBytes()) / (double) open;
            log.printf("S1 %s: RSS %d → %d → %d MB, heap %d → %d → %d MB (empty → logged in → loaded, after GC): "
                            + "%.1f KB RSS and %.1f KB heap per connection (%.1f KB RSS with the sessions), %.2f FDs per connection%n",
                    target.kind(), empty.rssBytes() >> 20, loggedIn.rssBytes() >> 20, loaded.rssBytes() >> 20,
                    empty.heapUsedBytes() >> 20, loggedIn.heapUsedBytes() >> 20, loaded.heapUsedBytes() >> 20,
                    rssPer / 1024, heapPer / 1024, rssWithSessions / 1024, fdsPer);
        }
        ramp.sockets().forEach(BenchSocket::close);
        if (workers != null) {
            workers.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (generator.open() > 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
        return new Result(connections, open, ramp.failed(), ramp.firstFailure(), Monitor.round(connectSeconds), connect,
                empty, loggedIn, loaded, Monitor.round(rssPer), Monitor.round(heapPer), Monitor.round(fdsPer), Monitor.round(rssWithSessions), null);
    }

    /**
     * S1 over the nodes of {@code target} (started, in cluster mode): {@code connections} split
     * evenly, each node's share opened by worker processes that connect to it alone (at least one
     * per node, and as many as keep each under {@link #SOCKETS_PER_PROCESS}; {@code --processes}
     * sets the total, at least the node count), each node's accounts signed up on it. Readings after
     * a forced GC on every node at the three points; totals are sums over the nodes.
     */
    private static Result runCluster(Options options, Target target, Monitor monitor, Path out, PrintStream log) {
        int connections = options.integer("connections", 19_000);
        double rate = options.decimal("connect-rate", 1000);
        double hold = options.decimal("hold", 5);
        int n = target.nodes().size();
        List<Integer> shares = shares(connections, n);
        List<NodeProbe> probes = target.probes();
        if (probes.size() != n) {
            throw new IllegalStateException("a cluster S1 needs every node's process (started nodes)");
        }
        int largest = shares.stream().mapToInt(Integer::intValue).max().orElse(0);
        int processes = options.integer("processes", n * Math.max(1, (largest + SOCKETS_PER_PROCESS - 1) / SOCKETS_PER_PROCESS));
        URI redis = URI.create(options.string("redis", "redis://127.0.0.1:6379"));
        monitor.phase("S1 empty");
        List<NodeProbe.Sample> empty = probes.stream().map(NodeProbe::afterGc).toList();
        long redisEmpty = RedisInfo.usedMemory(redis);
        List<List<String>> credentials = target.credentials(options, shares);
        List<NodeProbe.Sample> loggedIn = probes.stream().map(NodeProbe::afterGc).toList();
        long redisLoggedIn = RedisInfo.usedMemory(redis);
        monitor.phase("S1 ramp");
        List<URI> servers = target.nodes().stream().map(Node::url).toList();
        List<Workers.Slice> slices = Workers.spread(servers, credentials, processes);
        int busiest = slices.stream().mapToInt(s -> s.credentials().size()).max().orElse(0);
        if (busiest > SOCKETS_PER_PROCESS) {
            log.printf("S1: WARNING: a worker holds %d sockets, more than %d under its descriptor limit: raise --processes%n",
                    busiest, SOCKETS_PER_PROCESS);
        }
        long start = System.nanoTime();
        try (Workers workers = Workers.start(slices, target.kind(), rate, 2, out, log)) {
            monitor.connections(workers::open);
            try {
                if (!workers.awaitDone((long) (connections / rate) + 300, TimeUnit.SECONDS)) {
                    log.println("S1: workers did not finish their ramp in time");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            monitor.phase("S1 hold");
            FanOut.parkUntil(System.nanoTime() + (long) (hold * 1e9));
            List<Integer> open = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                open.add(workers.open(k)); // before the GCs: what each node holds while it is measured
            }
            List<NodeProbe.Sample> loaded = probes.stream().map(NodeProbe::afterGc).toList();
            long redisLoaded = RedisInfo.usedMemory(redis);
            int openTotal = open.stream().mapToInt(Integer::intValue).sum();
            Latency connect = Latency.of(workers.connectLatency());
            String firstFailure = "";
            log.printf("%nS1 %s, %d nodes: %d of %d connected in %.1f s over %d process(es) (%d failed); connect p50 %.1f p99 %.1f max %.1f ms%n",
                    target.kind(), n, openTotal, connections, connectSeconds, processes, workers.failed(), connect.p50Ms(), connect.p99Ms(),
                    connect.maxMs());
            List<NodeResult> nodes = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                Latency nodeConnect = Latency.of(workers.connectLatency(k));
                Marginal m = Marginal.of(empty.get(k), loggedIn.get(k), loaded.get(k), open.get(k));
                String failure = workers.firstFailure(k);
                if (firstFailure.isEmpty() && !failure.isEmpty()) {
                    firstFailure = target.node(k).name() + ": " + failure;
                }
                nodes.add(new NodeResult(target.node(k).name(), shares.get(k), open.get(k), workers.failed(k), failure, workers.childrenOf(k),
                        nodeConnect, empty.get(k), loggedIn.get(k), loaded.get(k), m.rss(), m.heap(), m.fds(), m.rssWithSessions()));
                log.printf("  %s: %d of %d connected (%d failed%s), connect p50 %.1f p99 %.1f ms; %s%n", target.node(k).name(), open.get(k),
                        shares.get(k), workers.failed(k), failure.isEmpty() ? "" : ": " + failure, nodeConnect.p50Ms(), nodeConnect.p99Ms(),
                        m.describe(empty.get(k), loggedIn.get(k), loaded.get(k)));
            }
            NodeProbe.Sample emptyTotal = NodeProbe.Sample.total(empty);
            NodeProbe.Sample loggedInTotal = NodeProbe.Sample.total(loggedIn);
            NodeProbe.Sample loadedTotal = NodeProbe.Sample.total(loaded);
            Marginal total = Marginal.of(emptyTotal, loggedInTotal, loadedTotal, openTotal);
            double redisPer = openTotal > 0 && redisLoaded >= 0 && redisLoggedIn >= 0 ? Monitor.round((redisLoaded - redisLoggedIn) / (double) openTotal) : 0;
            log.printf("S1 %s, all %d nodes: %s; Redis used_memory %d → %d → %d KB (%.1f bytes per connection)%n", target.kind(), n,
                    total.describe(emptyTotal, loggedInTotal, loadedTotal), redisEmpty >> 10, redisLoggedIn >> 10, redisLoaded >> 10, redisPer);
            Cluster cluster = new Cluster(nodes, processes, redisEmpty, redisLoggedIn, redisLoaded, redisPer);
            return new Result(connections, openTotal, workers.failed(), firstFailure, Monitor.round(connectSeconds), connect,
                    emptyTotal, loggedInTotal, loadedTotal, total.rss(), total.heap(), total.fds(), total.rssWithSessions(), cluster);
        }
    }

    /** Marginal figures per connection: over the logged-in reading, and (RSS) over the empty one. */
    private record Marginal(double rss, double heap, double fds, double rssWithSessions) {

        static Marginal of(NodeProbe.Sample empty, NodeProbe.Sample loggedIn, NodeProbe.Sample loaded, int open) {
            if (open <= 0) {
                return new Marginal(0, 0, 0, 0);
            }
            double heap = loaded.heapUsedBytes() < 0 || loggedIn.heapUsedBytes() < 0 ? -1
                    : Monitor.round((loaded.heapUsedBytes() - loggedIn.heapUsedBytes()) / (double) open);
            return new Marginal(Monitor.round((loaded.rssBytes() - loggedIn.rssBytes()) / (double) open), heap,
                    Monitor.round((loaded.openFds() - loggedIn.openFds()) / (double) open),
                    Monitor.round((loaded.rssBytes() - empty.rssBytes()) / (double) open));
        }

        String describe(NodeProbe.Sample empty, NodeProbe.Sample loggedIn, NodeProbe.Sample loaded) {
            return String.format(Locale.ROOT, "RSS %d → %d → %d MB, heap %d → %d → %d MB (empty → logged in → loaded, after GC): "
                            + "%.1f KB RSS and %.1f KB heap per connection (%.1f KB RSS with the sessions), %d FDs, %.2f per connection",
                    empty.rssBytes() >> 20, loggedIn.rssBytes() >> 20, loaded.rssBytes() >> 20,
                    empty.heapUsedBytes() >> 20, loggedIn.heapUsedBytes() >> 20, loaded.heapUsedBytes() >> 20,
                    rss / 1024, heap / 1024, rssWithSessions / 1024, loaded.openFds(), fds);
        }
    }
}
