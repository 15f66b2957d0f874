package io.parley.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;

import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * Idle connections spread over child generator processes, for counts that one process's descriptor
 * limit (20,000 here) cannot hold. Each child ({@code LoadTool worker}) is this JVM's classpath
 * with its own slice of the sessions, its own server (one node: a cluster run gives each node its
 * own children) and its own source addresses; it reports progress, its first failure and its
 * connect-latency histogram on stdout, holds its connections until its stdin closes, then exits.
 *
 * <p>Thread-safe: each child's output is read on a thread of its own; the counts may be read from any thread.
 */
final class Workers implements AutoCloseable {

    /** What one child opens: {@code credentials}, one connection each, to {@code server}, the run's node {@code node}. */
    record Slice(int node, URI server, List<String> credentials) {}

    /** One child and what it reported. */
    private static final class Child {
        final int node;
        final Histogram connectLatency = new Histogram(3);
        volatile @Nullable Process process;
        volatile int open;
        volatile int failed;
        volatile String firstFailure = "";

        Child(int node) {
            this.node = node;
        }
    }

    private final List<Child> children = new ArrayList<>();
    private final CountDownLatch done;

    private Workers(List<Slice> slices) {
        slices.forEach(s -> children.add(new Child(s.node())));
        this.done = new CountDownLatch(slices.size());
    }

    /**
     * Starts {@code count} children that open {@code cookies} (split evenly) to {@code server} at
     * {@code perSecond} in all, speaking {@code kind}'s protocol.
     */
    static Workers start(int count, URI server, Target.Kind kind, List<String> cookies, double perSecond, int sourcesEach, Path work,
            PrintStream log) {
        List<Slice> slices = new ArrayList<>();
        for (int w = 0; w < count; w++) {
            slices.add(new Slice(0, server, cookies.subList(cookies.size() * w / count, cookies.size() * (w + 1) / count)));
        }
        return start(slices, kind, perSecond, sourcesEach, work, log);
    }

    /**
     * The slices of a cluster run: {@code processes} children, child {@code w} connecting to node
     * {@code w % nodes}, each node's credentials ({@code byNode}) split evenly over its children.
     * {@code processes} must be at least the number of nodes.
     */
    static List<Slice> spread(List<URI> servers, List<List<String>> byNode, int processes) {
        int nodes = servers.size();
        if (processes < nodes) {
            throw new IllegalArgumentException("--processes=" + processes + " is fewer than the " + nodes + " nodes: each worker connects to one node");
        }
        List<Slice> slices = new ArrayList<>();
        for (int w = 0; w < processes; w++) {
            int node = w % nodes;
            int children = processes / nodes + (node < processes % nodes ? 1 : 0);
            int index = w / nodes;
            List<String> all = byNode.get(node);
            slices.add(new Slice(node, servers.get(node), all.subList(all.size() * index / children, all.size() * (index + 1) / children)));
        }
        return slices;
    }

    /**
     * Starts one child per slice; together they open their connections at {@code perSecond} (each
     * child at its share), speaking {@code kind}'s protocol, each from {@code sourcesEach} source
     * addresses of its own.
     */
    static Workers start(List<Slice> slices, Target.Kind kind, double perSecond, int sourcesEach, Path work, PrintStream log) {
        Workers workers = new Workers(slices);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int count = slices.size();
        try {
            Files.createDirectories(work);
            for (int w = 0; w < count; w++) {
                Slice slice = slices.get(w);
                Path file = work.resolve("worker-" + w + ".cookies");
                Files.write(file, slice.credentials());
                Process process = new ProcessBuilder(java, "-Xss512k", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
                        LoadTool.class.getName(), "worker", "--url=" + slice.server(), "--wire=" + kind.name().toLowerCase(Locale.ROOT),
                        "--cookies=" + file,
                        "--connect-rate=" + perSecond / count, "--source-offset=" + (w + 1) * sourcesEach, "--sources=" + sourcesEach)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                Child child = workers.children.get(w);
                child.process = process;
                Thread reader = new Thread(() -> workers.read(child, process, log), "bench-worker-" + w);
                reader.setDaemon(true);
                reader.start();
            }
        } catch (IOException e) {
            workers.close();
            throw new UncheckedIOException(e);
        }
        return workers;
    }

    private void read(Child child, Process process, PrintStream log) {
        boolean reported = false;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                String[] f = line.split(" ");
                if (f[0].equals("open")) {
                    child.open = Integer.parseInt(f[1]);
                } else if (f[0].equals("failure")) {
                    child.firstFailure = line.substring("failure ".length());
                } else if (f[0].equals("done")) {
                    child.failed = Integer.parseInt(f[2]);
                    Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(f[3])), 0);
                    synchronized (child.connectLatency) {
                        child.connectLatency.add(h);
                    }
                    reported = true;
                    done.countDown();
                } else {
                    log.println("worker: " + line);
                }
            }
        } catch (IOException | DataFormatException | RuntimeException e) {
            log.println("worker output unreadable: " + e);
        } finally {
            child.open = 0;
            if (!reported) {
                done.countDown();
            }
        }
    }

    /** Waits (bounded) until every child has opened its connections, or failed to. */
    boolean awaitDone(long timeout, TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit);
    }

    int open() {
        return children.stream().mapToInt(c -> c.open).sum();
    }

    int failed() {
        return children.stream().mapToInt(c -> c.failed).sum();
    }

    Histogram connectLatency() {
        return connectLatency(-1);
    }

    /** Connections open now by the children of {@code node}. */
    int open(int node) {
        return children.stream().filter(c -> c.node == node).mapToInt(c -> c.open).sum();
    }

    /** Connections that failed for the children of {@code node}, once they are done. */
    int failed(int node) {
        return children.stream().filter(c -> c.node == node).mapToInt(c -> c.failed).sum();
    }

    /** How many children connect to {@code node}. */
    int childrenOf(int node) {
        return (int) children.stream().filter(c -> c.node == node).count();
    }

    /** The first failure a child of {@code node} reported, or "". */
    String firstFailure(int node) {
        return children.stream().filter(c -> c.node == node).map(c -> c.firstFailure).filter(f -> !f.isEmpty()).findFirst().orElse("");
    }

    /** The merged connect latencies (µs) of {@code node}'s children; of every child for -1. */
    Histogram connectLatency(int node) {
        Histogram merged = new Histogram(3);
        for (Child c : children) {
            if (node < 0 || c.node == node) {
                synchronized (c.connectLatency) {
                    merged.add(c.connectLatency);
                }
            }
        }
        return merged;
    }

    /** Closes the children's stdin: they close their connections and exit. */
    @Override
    public void close() {
        for (Child c : children) {
            Process child = c.process;
            if (child == null) {
                continue;
            }
            try {
                child.getOutputStream().close();
                if (!child.waitFor(30, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                child.destroyForcibly();
            }
        }
    }

    /** The child's side: opens the connections of {@code --cookies}, reports, holds until stdin closes. */
    static void work(Options o) throws IOException {
        List<String> cookies = Files.readAllLines(Path.of(o.string("cookies", "")));
        PrintStream out = System.out;
        try (Generator generator = new Generator(o.integer("io-threads", 1), o.integer("sources", 1), o.integer("source-offset", 0))) {
            Thread progress = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    out.println("open " + generator.open());
                    out.flush();
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-worker-progress");
            progress.setDaemon(true);
            progress.start();
            Ramp.Result ramp = Ramp.open(generator, o.string("wire", "parley").equals("socketio") ? new SocketIoWire() : new ParleyWire(), URI.create(o.string("url", "")), cookies, o.decimal("connect-rate", 500), 250);
            Histogram h = generator.connectLatency().getIntervalHistogram();
            ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
            int length = h.encodeIntoCompressedByteBuffer(buffer);
            out.println("open " + generator.open());
            if (!ramp.firstFailure().isEmpty()) {
                out.println("failure " + ramp.firstFailure().replace('\n', ' '));
            }
            out.println("done " + ramp.sockets().size() + " " + ramp.failed() + " "
                    + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length)));
            out.flush();
            OutputStream ignored = OutputStream.nullOutputStream();
            System.in.transferTo(ignored); // hold until the coordinator closes our stdin
            progress.interrupt();
        }
    }
}
