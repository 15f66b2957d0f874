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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.DataFormatException;

import org.HdrHistogram.Histogram;

/**
 * Idle connections spread over child generator processes, for counts that one process's descriptor
 * limit (20,000 here) cannot hold. Each child ({@code LoadTool worker}) is this JVM's classpath
 * with its own slice of the sessions and its own source addresses; it reports progress and its
 * connect-latency histogram on stdout, holds its connections until its stdin closes, then exits.
 */
final class Workers implements AutoCloseable {

    private final List<Process> children = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Histogram connectLatency = new Histogram(3);
    private final CountDownLatch done;

    private Workers(int count) {
        this.done = new CountDownLatch(count);
    }

    /**
     * Starts {@code count} children that open {@code cookies} (split evenly) to {@code server} at
     * {@code perSecond} in all, speaking {@code kind}'s protocol.
     */
    static Workers start(int count, URI server, Target.Kind kind, List<String> cookies, double perSecond, int sourcesEach, Path work,
            PrintStream log) {
        Workers workers = new Workers(count);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            Files.createDirectories(work);
            for (int w = 0; w < count; w++) {
                List<String> slice = cookies.subList(cookies.size() * w / count, cookies.size() * (w + 1) / count);
                Path file = work.resolve("worker-" + w + ".cookies");
                Files.write(file, slice);
                Process child = new ProcessBuilder(java, "-Xss512k", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
                        LoadTool.class.getName(), "worker", "--url=" + server, "--wire=" + kind.name().toLowerCase(Locale.ROOT),
                        "--cookies=" + file,
                        "--connect-rate=" + perSecond / count, "--source-offset=" + (w + 1) * sourcesEach, "--sources=" + sourcesEach)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                workers.children.add(child);
                Thread reader = new Thread(() -> workers.read(child, log), "bench-worker-" + w);
                reader.setDaemon(true);
                reader.start();
            }
        } catch (IOException e) {
            workers.close();
            throw new UncheckedIOException(e);
        }
        return workers;
    }

    private void read(Process child, PrintStream log) {
        int last = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                String[] f = line.split(" ");
                if (f[0].equals("open")) {
                    int now = Integer.parseInt(f[1]);
                    open.addAndGet(now - last);
                    last = now;
                } else if (f[0].equals("done")) {
                    failed.addAndGet(Integer.parseInt(f[2]));
                    synchronized (connectLatency) {
                        connectLatency.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(f[3])), 0));
                    }
                    done.countDown();
                } else {
                    log.println("worker: " + line);
                }
            }
        } catch (IOException | DataFormatException | RuntimeException e) {
            log.println("worker output unreadable: " + e);
        } finally {
            open.addAndGet(-last);
            done.countDown();
        }
    }

    /** Waits (bounded) until every child has opened its connections, or failed to. */
    boolean awaitDone(long timeout, TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit);
    }

    int open() {
        return open.get();
    }

    int failed() {
        return failed.get();
    }

    Histogram connectLatency() {
        synchronized (connectLatency) {
            return connectLatency.copy();
        }
    }

    /** Closes the children's stdin: they close their connections and exit. */
    @Override
    public void close() {
        for (Process child : children) {
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
            out.println("done " + ramp.sockets().size() + " " + ramp.failed() + " "
                    + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length)));
            out.flush();
            OutputStream ignored = OutputStream.nullOutputStream();
            System.in.transferTo(ignored); // hold until the coordinator closes our stdin
            progress.interrupt();
        }
    }
}
