package io.parley.bench.load;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * S1: ramps to {@code connections} idle, authenticated connections on one node and reports what
 * each costs the server — RSS and heap after a forced GC ({@code jcmd GC.run}), marginal over the
 * node with its users logged in but no socket open — and the connect latency (from the intended
 * start of a handshake to the server's first frame).
 */
final class IdleCapacity {

    /** Server readings: before any login, after the logins, and with every connection open. */
    record Result(int requested, int connected, int failed, String firstFailure, double connectSeconds, Latency connectLatency,
            NodeProbe.Sample empty, NodeProbe.Sample loggedIn, NodeProbe.Sample loaded,
            double rssPerConnectionBytes, double heapPerConnectionBytes, double fdsPerConnection,
            double rssPerConnectionWithSessionsBytes) {}

    private IdleCapacity() {}

    static Result run(Options options, Generator generator, Target target, Monitor monitor, Path out, PrintStream log) {
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
                empty, loggedIn, loaded, Monitor.round(rssPer), Monitor.round(heapPer), Monitor.round(fdsPer), Monitor.round(rssWithSessions));
    }
}
