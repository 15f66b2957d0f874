package io.parley.bench.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * Samples the run once a second — open connections, deliveries and their latency in that second,
 * publisher lag, server and generator CPU (in cores), server RSS — into the timeline of the report,
 * and prints a progress line. Its own thread; {@link #timeline()} may be read once {@link #close}d.
 */
final class Monitor implements AutoCloseable {

    /** One second of the run. Latencies in ms; CPU in cores (1.0 = one core busy). */
    record Sample(double t, int connections, long deliveries, double p50Ms, double p99Ms, double maxMs,
            double publisherLagMaxMs, double serverCpuCores, double generatorCpuCores, long serverRssBytes, String phase) {}

    private final Generator generator;
    private final List<NodeProbe> nodes;
    private final NodeProbe self = new NodeProbe(ProcessHandle.current().pid());
    private final Recorder latency = new Recorder(3);
    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private final long start = System.nanoTime();
    private final List<Sample> timeline = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-monitor");
        t.setDaemon(true);
        return t;
    });
    private volatile String phase = "";
    private volatile @Nullable Pacer pacer;
    private volatile java.util.function.IntSupplier connections;
    private long lastServerCpu;
    private final long[] lastKnownCpu;
    private long lastSelfCpu;
    private long lastNanos = start;
    private int ticks;

    Monitor(Generator generator, List<NodeProbe> nodes, PrintStream out) {
        this.generator = generator;
        this.nodes = nodes;
        this.out = out;
        this.connections = generator::open;
        this.lastKnownCpu = new long[nodes.size()];
        lastServerCpu = serverCpu();
        lastSelfCpu = self.cpuNanos();
        timer.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
    }

    /** Every delivery, whatever its window: the timeline's latency. */
    Recorder latency() {
        return latency;
    }

    /** Where the open-connection count comes from (the generator's own, or its worker processes'). */
    void connections(java.util.function.IntSupplier connections) {
        this.connections = connections;
    }

    void phase(String phase) {
        this.phase = phase;
    }

    void pacer(@Nullable Pacer pacer) {
        this.pacer = pacer;
    }

    private synchronized void sample() {
        try {
            long now = System.nanoTime();
            double seconds = (now - lastNanos) / 1e9;
            long serverCpu = serverCpu();
            long selfCpu = self.cpuNanos();
            Histogram h = latency.getIntervalHistogram();
            Pacer p = pacer;
            double lagMax = p == null ? 0 : p.lag().getIntervalHistogram().getMaxValue() / 1000.0;
            long rss = nodes.stream().filter(NodeProbe::alive).mapToLong(NodeProbe::rssBytes).sum();
            Sample s = new Sample(round((now - start) / 1e9), connections.getAsInt(), h.getTotalCount(),
                    ms(h, 50), ms(h, 99), h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0, lagMax,
                    round((serverCpu - lastServerCpu) / 1e9 / seconds), round((selfCpu - lastSelfCpu) / 1e9 / seconds), rss, phase);
            timeline.add(s);
            lastNanos = now;
            lastServerCpu = serverCpu;
            lastSelfCpu = selfCpu;
            print(s);
        } catch (RuntimeException e) {
            out.println("monitor: " + e.getMessage());
        }
    }

    private void print(Sample s) {
        String line = String.format("[%5.0fs] %-22s conns %6d | %8d deliveries/s | p50 %7.2f p99 %7.2f max %7.2f ms | lag %6.1f ms | cpu server %.2f gen %.2f | rss %5d MB",
                s.t(), s.phase(), s.connections(), s.deliveries(), s.p50Ms(), s.p99Ms(), s.maxMs(), s.publisherLagMaxMs(),
                s.serverCpuCores(), s.generatorCpuCores(), s.serverRssBytes() >> 20);
        if (terminal) {
            out.print("\r" + line);
            out.flush();
        } else if (++ticks % 5 == 0) {
            out.println(line);
        }
    }

    /**
     * The nodes' CPU so far, never falling: a node that died (S6 kills one) keeps counting what it
     * spent until its last reading, so an interval spanning the kill has no negative CPU.
     */
    private synchronized long serverCpu() {
        long total = 0;
        for (int i = 0; i < nodes.size(); i++) {
            NodeProbe probe = nodes.get(i);
            if (probe.alive()) {
                try {
                    lastKnownCpu[i] = Math.max(lastKnownCpu[i], probe.cpuNanos());
                } catch (RuntimeException gone) {
                    // died between alive() and the read: its last reading stands
                }
            }
            total += lastKnownCpu[i];
        }
        return total;
    }

    static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    synchronized List<Sample> timeline() {
        return List.copyOf(timeline);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (terminal) {
            out.println();
        }
    }

    /** Nanoseconds of CPU of this generator process. */
    long generatorCpuNanos() {
        return self.cpuNanos();
    }

    /** Nanoseconds of CPU of the nodes under test (live ones). */
    long serverCpuNanos() {
        return serverCpu();
    }
}
