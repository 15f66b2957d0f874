package io.parley.bench.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Rooms, members that read, publishers that send at a fixed rate, and a rate ladder: S2 (fan-out on
 * one node), S3 (publishers on one node, subscribers on another), S4 (durable writes: many rooms and
 * senders, acks measured), S5 (slow consumers: the same step without, then with, 1 % of members
 * that stop reading). Every room has {@code roomSize} reading members; publishers are extra
 * connections that join the rooms they send to, and their echoes are not counted as deliveries.
 *
 * <p>The ladder stops at the first step whose p99 exceeds {@code p99Bound} (the ack's p99 for S4) or
 * whose deliveries (acks for S4) fall short of 99 % of what was due, after a drain of up to 5 s.
 */
final class FanOut {

    /** A scenario's shape. Rates are deliveries per second (acks per second for S4). */
    record Plan(String name, int rooms, int roomSize, int publishers, List<Integer> rates, int textBytes,
            double warmupSeconds, double stepSeconds, double p99BoundMs, double slowFraction,
            int publisherNode, int subscriberNode, boolean acks, double serverWarmupSeconds, int serverWarmupRate) {

        static Plan from(String name, Options o, Map<String, String> defaults) {
            Options d = o.with(name, defaults);
            return new Plan(name, d.integer("rooms", 10), d.integer("room-size", 100), d.integer("publishers", 4),
                    d.integers("rates", "20000,40000,60000,80000,100000,120000,140000,160000"), d.integer("text-bytes", 64),
                    d.decimal("warmup", 3), d.decimal("step", 10), d.decimal("p99", 25), d.decimal("slow", 0),
                    d.integer("publisher-node", 0), d.integer("subscriber-node", 0), d.flag("acks"),
                    d.decimal("server-warmup", 20), d.integer("server-warmup-rate", 0));
        }

        int messagesPerDelivery() {
            return acks ? 1 : roomSize - slowPerRoom();
        }

        int slowPerRoom() {
            return slowFraction <= 0 ? 0 : Math.max(1, (int) Math.round(roomSize * slowFraction));
        }
    }

    /** One step of the ladder, measured over its window (after the warm-up). */
    record Step(String label, int targetRate, double messagesPerSecond, long messagesSent, long expected, long delivered,
            double deliveriesPerSecond, Latency latency, long acked, double ackedPerSecond, Latency ackLatency,
            double publisherLagP99Ms, double publisherLagMaxMs, double serverCpuSeconds, double serverCpuPerDeliveryUs,
            double generatorCpuSeconds, long generatorFrames, double generatorCpuPerFrameUs, double generatorCpuCores,
            long gcCount, double gcMillis, long serverRssBytes, int serverFds, int connections, long errorFrames,
            boolean passed, String verdict) {}

    private final Plan plan;
    private final Generator generator;
    private final Target target;
    private final Monitor monitor;
    private final PrintStream log;

    FanOut(Plan plan, Generator generator, Target target, Monitor monitor, PrintStream log) {
        this.plan = plan;
        this.generator = generator;
        this.target = target;
        this.monitor = monitor;
        this.log = log;
    }

    List<Step> run(Options options) {
        Wire wire = target.wire();
        int members = plan.rooms() * plan.roomSize();
        List<String> cookies = target.credentials(options, members + plan.publishers());
        monitor.phase(plan.name() + " connect");
        Ramp.Result subs = Ramp.open(generator, wire, target.node(plan.subscriberNode()).url(), cookies.subList(0, members),
                options.decimal("connect-rate", 1000), 200);
        Ramp.Result pubs = Ramp.open(generator, wire, target.node(plan.publisherNode()).url(),
                cookies.subList(members, members + plan.publishers()), 100, 50);
        if (subs.failed() + pubs.failed() > 0) {
            throw new IllegalStateException((subs.failed() + pubs.failed()) + " connections failed: " + subs.firstFailure() + pubs.firstFailure());
        }
        List<String> roomOf = new ArrayList<>();
        String prefix = "b" + Long.toString(System.currentTimeMillis() % 1_000_000, 36) + "-";
        for (int i = 0; i < members; i++) {
            roomOf.add(prefix + (i / plan.roomSize()));
        }
        monitor.phase(plan.name() + " join");
        Ramp.join(subs.sockets(), roomOf, 100);
        List<Pacer.Target> targets = new ArrayList<>();
        List<BenchSocket> publisherSockets = new ArrayList<>();
        List<String> publisherRooms = new ArrayList<>();
        for (int i = 0; i < Math.max(plan.rooms(), plan.publishers()); i++) {
            BenchSocket publisher = pubs.sockets().get(i % plan.publishers());
            publisher.subscriber(false);
            String room = prefix + (i % plan.rooms());
            targets.add(new Pacer.Target(publisher, room));
            publisherSockets.add(publisher);
            publisherRooms.add(room);
        }
        Ramp.join(publisherSockets, publisherRooms, 1);
        List<BenchSocket> slow = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            if (i % plan.roomSize() < plan.slowPerRoom()) {
                BenchSocket s = subs.sockets().get(i);
                s.subscriber(false);
                slow.add(s);
            }
        }
        Pacer pacer = new Pacer(wire, targets, plan.textBytes());
        monitor.pacer(pacer);
        List<Step> steps = new ArrayList<>();
        try {
            warmUp(pacer);
            if (!slow.isEmpty()) {
                // S5: the first step with every member reading, the second with the slow ones stopped.
                int rate = plan.rates().get(0);
                steps.add(step(pacer, rate, "all reading"));
                slow.forEach(BenchSocket::stopReading);
                steps.add(step(pacer, rate, slow.size() + " stopped reading"));
                return steps;
            }
            for (int rate : plan.rates()) {
                Step step = step(pacer, rate, "");
                steps.add(step);
                if (!step.passed()) {
                    break;
                }
            }
            return steps;
        } finally {
            monitor.pacer(null);
            generator.sink(Generator.Sink.NONE);
            subs.sockets().forEach(BenchSocket::close);
            pubs.sockets().forEach(BenchSocket::close);
        }
    }

    /**
     * Traffic before the first judged step, counted nowhere: a freshly started node is still being
     * compiled (the JVM's JIT, V8's optimiser) and its first seconds measure the compiler, not the
     * server. Runs at {@code --server-warmup-rate} (default: the ladder's second step, or its first).
     */
    private void warmUp(Pacer pacer) {
        if (plan.serverWarmupSeconds() <= 0) {
            return;
        }
        List<Integer> rates = plan.rates();
        int rate = plan.serverWarmupRate() > 0 ? plan.serverWarmupRate() : rates.get(Math.min(1, rates.size() - 1));
        monitor.phase(plan.name() + " warm-up " + rate + "/s");
        long start = System.nanoTime() + 50_000_000;
        long end = start + (long) (plan.serverWarmupSeconds() * 1e9);
        Window nowhere = new Window(start, start, monitor.latency());
        generator.sink(nowhere);
        pacer.run(rate / (double) Math.max(1, plan.messagesPerDelivery()), start, end, nowhere);
        parkUntil(end + 2_000_000_000L);
    }

    private Step step(Pacer pacer, int rate, String label) {
        double messagesPerSecond = rate / (double) Math.max(1, plan.messagesPerDelivery());
        monitor.phase(plan.name() + " " + rate + "/s");
        long[] gcBefore = gcTotals();
        long start = System.nanoTime() + 50_000_000;
        long from = start + (long) (plan.warmupSeconds() * 1e9);
        long to = from + (long) (plan.stepSeconds() * 1e9);
        Window window = new Window(from, to, monitor.latency());
        generator.sink(window);
        CompletableFuture<Long> sending = CompletableFuture.supplyAsync(() -> pacer.run(messagesPerSecond, start, to, window),
                r -> new Thread(r, "bench-pacer").start());
        parkUntil(from);
        long serverCpu0 = monitor.serverCpuNanos();
        long selfCpu0 = monitor.generatorCpuNanos();
        long frames0 = generator.frames();
        long errors0 = generator.errors();
        pacer.lag().reset();
        parkUntil(to);
        long serverCpu1 = monitor.serverCpuNanos();
        long selfCpu1 = monitor.generatorCpuNanos();
        long frames1 = generator.frames();
        long sent = sending.join();
        long expected = sent * plan.messagesPerDelivery();
        long drainUntil = System.nanoTime() + 5_000_000_000L;
        while ((plan.acks() ? window.acked() : window.delivered()) < expected && System.nanoTime() < drainUntil) {
            LockSupport.parkNanos(10_000_000);
        }
        long[] gcAfter = gcTotals();
        NodeProbe.Sample server = serverSample();
        double seconds = plan.stepSeconds();
        long delivered = window.delivered();
        long acked = window.acked();
        Latency latency = Latency.of(window.latency());
        Latency ackLatency = Latency.of(window.ackLatency());
        var lag = pacer.lag().getIntervalHistogram();
        double serverCpu = (serverCpu1 - serverCpu0) / 1e9;
        double selfCpu = (selfCpu1 - selfCpu0) / 1e9;
        long frames = frames1 - frames0;
        long counted = plan.acks() ? acked : delivered;
        double p99 = plan.acks() ? ackLatency.p99Ms() : latency.p99Ms();
        String verdict;
        boolean passed;
        if (counted < expected * 0.99) {
            passed = false;
            verdict = String.format("short: %d of %d %s", counted, expected, plan.acks() ? "acks" : "deliveries");
        } else if (p99 > plan.p99BoundMs()) {
            passed = false;
            verdict = String.format("p99 %.1f ms > %.1f ms", p99, plan.p99BoundMs());
        } else {
            passed = true;
            verdict = "ok";
        }
        Step step = new Step(label.isEmpty() ? rate + "/s" : label, rate, Monitor.round(messagesPerSecond), sent, expected, delivered,
                Monitor.round(delivered / seconds), latency, acked, Monitor.round(acked / seconds), ackLatency,
                lag.getValueAtPercentile(99) / 1000.0, lag.getMaxValue() / 1000.0,
                Monitor.round(serverCpu), Monitor.round(delivered == 0 ? 0 : serverCpu * 1e6 / Math.max(delivered, acked)),
                Monitor.round(selfCpu), frames, Monitor.round(frames == 0 ? 0 : selfCpu * 1e6 / frames), Monitor.round(selfCpu / seconds),
                gcAfter[0] < 0 ? -1 : gcAfter[0] - gcBefore[0], gcAfter[1] < 0 ? -1 : Monitor.round((gcAfter[1] - gcBefore[1]) / 1e6),
                server.rssBytes(), server.openFds(), generator.open(), generator.errors() - errors0, passed, verdict);
        log.printf("%n%s %s: %s delivered %d/%d (%.0f/s) p50 %.2f p99 %.2f p99.9 %.2f max %.2f ms%s | server %.1f µs/delivery | generator %.1f µs/frame (%.2f cores) | lag p99 %.1f ms | %s%n",
                plan.name(), step.label(), target.kind(), delivered, plan.acks() ? sent * plan.roomSize() : expected, step.deliveriesPerSecond(),
                latency.p50Ms(), latency.p99Ms(), latency.p999Ms(), latency.maxMs(),
                plan.acks() ? String.format(" | acks %d/%d, ack p50 %.2f p99 %.2f ms", acked, sent, ackLatency.p50Ms(), ackLatency.p99Ms()) : "",
                step.serverCpuPerDeliveryUs(), step.generatorCpuPerFrameUs(), step.generatorCpuCores(), step.publisherLagP99Ms(), verdict);
        if (step.errorFrames() > 0) {
            log.println("error frames: " + step.errorFrames() + ", last: " + generator.lastError());
        }
        return step;
    }

    private long[] gcTotals() {
        long count = 0;
        long nanos = 0;
        for (NodeProbe probe : target.probes()) {
            long[] gc = probe.gcTotals();
            if (gc[0] < 0) {
                return new long[] {-1, -1};
            }
            count += gc[0];
            nanos += gc[1];
        }
        return new long[] {count, nanos};
    }

    private NodeProbe.Sample serverSample() {
        long rss = 0;
        int fds = 0;
        for (NodeProbe probe : target.probes()) {
            rss += probe.rssBytes();
            fds += probe.openFds();
        }
        return new NodeProbe.Sample(0, rss, fds, -1, -1, -1);
    }

    static void parkUntil(long nanoTime) {
        for (long wait = nanoTime - System.nanoTime(); wait > 0; wait = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }
}
