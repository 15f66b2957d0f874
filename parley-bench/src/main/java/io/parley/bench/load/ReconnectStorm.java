package io.parley.bench.load;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * S6: two cluster nodes; {@code clients} subscribers on node 1 in rooms of {@code room-size}, and
 * publishers on node 2 sending {@code rate} messages a second throughout. Node 1 is killed (SIGKILL)
 * with its clients' sockets; each client reconnects to node 2 after a uniform random delay in
 * {@code [0, jitter]} and joins its room again with {@code since} = the last sequence it saw, as
 * {@code ParleyClient} does. Reported: the time from the kill until every client is back (welcome)
 * and resumed (joined), and the messages lost: for each client, the room's final sequence minus the
 * last one it holds once the publishers stop, plus every jump in its sequence. Must be 0.
 */
final class ReconnectStorm {

    record Result(int clients, int reconnected, int resumed, double allBackSeconds, double allResumedSeconds,
            long messagesPublished, long lost, long duplicates, Latency reconnectLatency) {}

    /** One subscriber across its connections: the room and the last sequence it holds. */
    private static final class Client implements BenchSocket.Sequenced {
        final String cookie;
        final String room;
        volatile long lastSeq;
        volatile long jumps;
        volatile long duplicates;

        Client(String cookie, String room) {
            this.cookie = cookie;
            this.room = room;
        }

        @Override
        public void message(long seq) {
            long last = lastSeq;
            if (seq <= last) {
                duplicates++;
                return;
            }
            if (last > 0 && seq != last + 1) {
                jumps += seq - last - 1;
            }
            lastSeq = seq;
        }

        @Override
        public void joined(long roomHead) {
            if (lastSeq == 0) {
                lastSeq = roomHead; // the first join: live from here, no replay asked
            }
        }
    }

    private ReconnectStorm() {}

    static Result run(Options o, Generator generator, Target target, Monitor monitor, PrintStream log) {
        if (target.kind() != Target.Kind.PARLEY || target.nodes().size() < 2) {
            throw new IllegalArgumentException("S6 needs two Parley nodes in cluster mode");
        }
        int count = o.integer("clients", 10_000);
        int roomSize = o.integer("room-size", 100);
        int publishers = o.integer("publishers", 4);
        double rate = o.decimal("rate", 200);
        double jitter = o.decimal("jitter", 1);
        ParleyWire wire = new ParleyWire();
        Node victim = target.node(0);
        Node survivor = target.node(1);
        List<String> cookies = target.credentials(o, count + publishers);
        String prefix = "s6" + Long.toString(System.currentTimeMillis() % 1_000_000, 36) + "-";
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clients.add(new Client(cookies.get(i), prefix + (i / roomSize)));
        }
        int rooms = (count + roomSize - 1) / roomSize;
        monitor.phase("S6 connect");
        Ramp.Result subs = Ramp.open(generator, wire, victim.url(), cookies.subList(0, count), o.decimal("connect-rate", 1000), 200);
        if (subs.failed() > 0) {
            throw new IllegalStateException(subs.failed() + " connections failed: " + subs.firstFailure());
        }
        for (int i = 0; i < count; i++) {
            subs.sockets().get(i).sequenced(clients.get(i));
            subs.sockets().get(i).subscriber(false);
        }
        Ramp.join(subs.sockets(), clients.stream().map(c -> c.room).toList(), 100);
        Ramp.Result pubs = Ramp.open(generator, wire, survivor.url(), cookies.subList(count, count + publishers), 100, 50);
        List<Pacer.Target> targets = new ArrayList<>();
        List<BenchSocket> publisherSockets = new ArrayList<>();
        List<String> publisherRooms = new ArrayList<>();
        for (int r = 0; r < rooms; r++) {
            BenchSocket p = pubs.sockets().get(r % publishers);
            p.subscriber(false);
            targets.add(new Pacer.Target(p, prefix + r));
            publisherSockets.add(p);
            publisherRooms.add(prefix + r);
        }
        Ramp.join(publisherSockets, publisherRooms, 1);

        Pacer pacer = new Pacer(wire, targets, o.integer("text-bytes", 64));
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(o.integer("seconds", 60));
        CompletableFuture<Long> sending = CompletableFuture.supplyAsync(
                () -> pacer.run(rate, start, end, new Window(0, 0, monitor.latency())), r -> new Thread(r, "bench-pacer").start());
        monitor.phase("S6 steady");
        FanOut.parkUntil(start + TimeUnit.SECONDS.toNanos(3));

        AtomicInteger back = new AtomicInteger();
        AtomicInteger resumed = new AtomicInteger();
        long[] lastBack = {0};
        long[] lastResumed = {0};
        org.HdrHistogram.Recorder reconnectLatency = new org.HdrHistogram.Recorder(3);
        monitor.phase("S6 kill");
        long killed = System.nanoTime();
        victim.kill();
        for (Client client : clients) {
            long delay = (long) (ThreadLocalRandom.current().nextDouble() * jitter * 1e9);
            long intended = killed + delay;
            CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS))
                    .thenCompose(v -> generator.connect(survivor.url(), wire, client.cookie, intended))
                    .thenCompose(socket -> {
                        socket.sequenced(client);
                        socket.subscriber(false);
                        synchronized (lastBack) {
                            back.incrementAndGet();
                            lastBack[0] = Math.max(lastBack[0], System.nanoTime());
                        }
                        return socket.join(client.room, wire.join(client.room, client.lastSeq));
                    })
                    .whenComplete((v, e) -> {
                        if (e == null) {
                            long now = System.nanoTime();
                            reconnectLatency.recordValue((now - intended) / 1000);
                            synchronized (lastBack) {
                                resumed.incrementAndGet();
                                lastResumed[0] = Math.max(lastResumed[0], now);
                            }
                        }
                    });
        }
        monitor.phase("S6 storm");
        long deadline = killed + TimeUnit.SECONDS.toNanos(o.integer("storm-timeout", 60));
        while (resumed.get() < count && System.nanoTime() < deadline) {
            LockSupport.parkNanos(20_000_000);
        }
        sending.join();
        long published = pacer.sent();
        monitor.phase("S6 drain");
        long[] finalSeq = finalSequences(survivor.url(), cookies.get(count), prefix, rooms);
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < drainUntil && behind(clients, finalSeq, prefix) > 0) {
            LockSupport.parkNanos(50_000_000);
        }
        long logged = java.util.Arrays.stream(finalSeq).sum();
        if (logged < published * 0.99) {
            log.printf("S6: only %d of %d published messages are in the log (sends failed while the node died?)%n", logged, published);
        }
        long lost = 0;
        long duplicates = 0;
        for (Client c : clients) {
            lost += Math.max(0, finalSeq[Integer.parseInt(c.room.substring(prefix.length()))] - c.lastSeq) + c.jumps;
            duplicates += c.duplicates;
        }
        Result result = new Result(count, back.get(), resumed.get(), Monitor.round((lastBack[0] - killed) / 1e9),
                Monitor.round((lastResumed[0] - killed) / 1e9), published, lost, duplicates, Latency.of(reconnectLatency.getIntervalHistogram()));
        log.printf("%nS6: %d clients, %d back in %.2f s, %d resumed in %.2f s after the kill; %d messages published, %d lost, %d duplicates dropped%n",
                count, result.reconnected(), result.allBackSeconds(), result.resumed(), result.allResumedSeconds(), published, lost, duplicates);
        return result;
    }

    private static long behind(List<Client> clients, long[] finalSeq, String prefix) {
        long behind = 0;
        for (Client c : clients) {
            behind += Math.max(0, finalSeq[Integer.parseInt(c.room.substring(prefix.length()))] - c.lastSeq);
        }
        return behind;
    }

    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    /** Each room's newest sequence, from the message log ({@code GET /api/rooms/{room}/messages?limit=1}). */
    private static long[] finalSequences(URI server, String credential, String prefix, int rooms) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long[] seq = new long[rooms];
        for (int r = 0; r < rooms; r++) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.resolve("/api/rooms/" + prefix + r + "/messages?limit=1"))
                        .header(Accounts.header(credential), credential).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
                }
                Matcher m = SEQ.matcher(response.body());
                seq[r] = m.find() ? Long.parseLong(m.group(1)) : 0;
            } catch (Exception e) {
                throw new IllegalStateException("cannot read the head of room " + prefix + r, e);
            }
        }
        return seq;
    }
}
