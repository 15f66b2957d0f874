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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import org.jspecify.annotations.Nullable;

/**
 * S6: two cluster nodes; {@code clients} subscribers on node 1 in rooms of {@code room-size}, and
 * publishers on node 2 sending {@code rate} messages a second throughout. Node 1 is killed (SIGKILL)
 * with its clients' sockets; each client reconnects to node 2 after a uniform random delay in
 * {@code [0, jitter]} and joins its room again with {@code since} = the last sequence it saw, as
 * {@code ParleyClient} does, retrying refused or failed attempts with backoff and {@code Retry-After}
 * ({@link Storm}). Reported: the time from the kill until every client is back (welcome)
 * and resumed (joined), and the messages lost: for each client, the room's final sequence minus the
 * last one it holds once the publishers stop, plus every jump in its sequence. Must be 0.
 */
final class ReconnectStorm {

    record Result(int clients, int reconnected, int resumed, double allBackSeconds, double allResumedSeconds,
            long messagesPublished, long messagesLogged, long lost, long duplicates, long refused, long failedAttempts, long closedAgain,
            long publisherReconnects, long publisherUnsent, Latency reconnectLatency) {}

    /**
     * The clients' side of the storm, as {@code ParleyClient} behaves: each peer connects to the
     * survivor and sets its connection up ({@link Peer#open}: joins, with {@code since} for a
     * subscriber); a refused handshake is retried after an exponential backoff with full jitter
     * (0.5 s doubling up to {@code backoff-max}) plus the server's {@code Retry-After}, any other
     * failure after the backoff alone, and a connection closed after it was set up reconnects the
     * same way, until the publishers stop. Subscribers ({@link Client}) are counted back and resumed;
     * publishers ({@link Publisher}) only reconnect, so that the storm keeps its traffic.
     */
    private static final class Storm {
        final Generator generator;
        final URI server;
        final double backoffMaxSeconds;
        final AtomicInteger back = new AtomicInteger();
        final AtomicInteger resumed = new AtomicInteger();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong closedAgain = new AtomicLong();
        final AtomicLong publisherReconnects = new AtomicLong();
        final org.HdrHistogram.Recorder reconnectLatency = new org.HdrHistogram.Recorder(3);
        final ParleyWire wire;
        long lastBack;
        long lastResumed;
        volatile boolean over;

        Storm(Generator generator, ParleyWire wire, URI server, double backoffMaxSeconds) {
            this.generator = generator;
            this.wire = wire;
            this.server = server;
            this.backoffMaxSeconds = backoffMaxSeconds;
        }

        /** Connects {@code peer} after {@code delayNanos}, its reconnect latency counted from {@code intended}. */
        void reconnect(Peer peer, long delayNanos, long intended) {
            attempt(peer, delayNanos, intended, 0);
        }

        /** Reconnects {@code peer} when {@code socket}, already set up, closes before the storm is over. */
        void watch(Peer peer, BenchSocket socket) {
            socket.closed().thenAccept(code -> {
                peer.lost();
                if (over) {
                    return;
                }
                if (peer instanceof Publisher) {
                    publisherReconnects.incrementAndGet();
                } else {
                    closedAgain.incrementAndGet();
                }
                attempt(peer, backoff(0), System.nanoTime(), 1);
            });
        }

        /** One try; {@code attempt} counts the tries since the peer was last connected and sets the backoff. */
        private void attempt(Peer peer, long delayNanos, long intended, int attempt) {
            CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(delayNanos, TimeUnit.NANOSECONDS))
                    .thenCompose(v -> generator.connect(server, wire, peer.credential, intended))
                    .thenCompose(socket -> {
                        socket.subscriber(false);
                        if (peer instanceof Client && !peer.back) {
                            peer.back = true;
                            back.incrementAndGet();
                            synchronized (this) {
                                lastBack = Math.max(lastBack, System.nanoTime());
                            }
                        }
                        return peer.open(socket, wire).thenApply(v -> socket);
                    })
                    .whenComplete((socket, error) -> {
                        if (error == null) {
                            long now = System.nanoTime();
                            if (peer instanceof Client && !peer.resumed) {
                                peer.resumed = true;
                                reconnectLatency.recordValue((now - intended) / 1000);
                                resumed.incrementAndGet();
                                synchronized (this) {
                                    lastResumed = Math.max(lastResumed, now);
                                }
                            }
                            watch(peer, socket);
                            return;
                        }
                        if (over) {
                            return;
                        }
                        Long retryAfter = retryAfterSeconds(error);
                        if (retryAfter != null) {
                            refused.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                        long delay = backoff(attempt) + (retryAfter == null ? 0 : TimeUnit.SECONDS.toNanos(retryAfter));
                        attempt(peer, delay, intended, attempt + 1);
                    });
        }

        synchronized long lastBack() {
            return lastBack;
        }

        synchronized long lastResumed() {
            return lastResumed;
        }

        /** Full jitter: uniform in [0, min(max, 0.5 s × 2^attempt)]. */
        private long backoff(int attempt) {
            double window = Math.min(backoffMaxSeconds, 0.5 * Math.pow(2, Math.min(attempt, 20)));
            return (long) (ThreadLocalRandom.current().nextDouble() * window * 1e9);
        }

        /** The {@code Retry-After} of a refused handshake (503 or 429), or null when the failure was something else. */
        private static @Nullable Long retryAfterSeconds(Throwable error) {
            for (Throwable t = error; t != null; t = t.getCause()) {
                if (t instanceof WebSocketClientHandshakeException h && h.response() != null) {
                    int status = h.response().status().code();
                    if (status != 503 && status != 429) {
                        return null;
                    }
                    String header = h.response().headers().get("Retry-After");
                    try {
                        return header == null ? 0L : Long.parseLong(header.trim());
                    } catch (NumberFormatException e) {
                        return 0L;
                    }
                }
            }
            return null;
        }
    }

    /** One user of the storm across its connections. */
    private abstract static class Peer {
        final String credential;
        /** Whether it has connected (welcome) and been set up again since the kill: subscribers only. */
        volatile boolean back;
        volatile boolean resumed;

        Peer(String credential) {
            this.credential = credential;
        }

        /** Sets a new connection up (joins); completes when it is in use. */
        abstract CompletableFuture<Void> open(BenchSocket socket, ParleyWire wire);

        /** Its connection has closed. */
        void lost() {}
    }

    /** One subscriber: its room and the last sequence it holds. */
    private static final class Client extends Peer implements BenchSocket.Sequenced {
        final String room;
        volatile long lastSeq;
        volatile long jumps;
        volatile long duplicates;

        Client(String credential, String room) {
            super(credential);
            this.room = room;
        }

        @Override
        CompletableFuture<Void> open(BenchSocket socket, ParleyWire wire) {
            socket.sequenced(this);
            return socket.join(room, wire.join(room, lastSeq));
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

    /**
     * One publisher: the rooms it sends to, and the socket it sends on while it has one. A send made
     * while it reconnects is not made (counted as unsent); a send lost with a closing socket never
     * reaches the log, and lost messages are counted against the log, so neither counts as lost.
     */
    private static final class Publisher extends Peer implements Pacer.Sender {
        final List<String> rooms = new ArrayList<>();
        final AtomicLong unsent = new AtomicLong();
        volatile @Nullable BenchSocket socket;

        Publisher(String credential) {
            super(credential);
        }

        @Override
        CompletableFuture<Void> open(BenchSocket socket, ParleyWire wire) {
            return CompletableFuture.allOf(rooms.stream().map(socket::join).toArray(CompletableFuture[]::new))
                    .thenRun(() -> this.socket = socket);
        }

        @Override
        void lost() {
            socket = null;
        }

        @Override
        public void send(String frame) {
            BenchSocket s = socket;
            if (s == null) {
                unsent.incrementAndGet();
            } else {
                s.send(frame);
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
        Storm storm = new Storm(generator, wire, survivor.url(), o.decimal("backoff-max", 30));
        Ramp.Result pubs = Ramp.open(generator, wire, survivor.url(), cookies.subList(count, count + publishers), 100, 50);
        if (pubs.failed() > 0) {
            throw new IllegalStateException(pubs.failed() + " publisher connections failed: " + pubs.firstFailure());
        }
        List<Publisher> senders = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            senders.add(new Publisher(cookies.get(count + p)));
        }
        List<Pacer.Target> targets = new ArrayList<>();
        for (int r = 0; r < rooms; r++) {
            Publisher p = senders.get(r % publishers);
            p.rooms.add(prefix + r);
            targets.add(new Pacer.Target(p, prefix + r));
        }
        for (int p = 0; p < publishers; p++) {
            BenchSocket socket = pubs.sockets().get(p);
            socket.subscriber(false);
            senders.get(p).open(socket, wire).join();
            storm.watch(senders.get(p), socket);
        }

        Pacer pacer = new Pacer(wire, targets, o.integer("text-bytes", 64));
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(o.integer("seconds", 60));
        CompletableFuture<Long> sending = CompletableFuture.supplyAsync(
                () -> pacer.run(rate, start, end, new Window(0, 0, monitor.latency())), r -> new Thread(r, "bench-pacer").start());
        monitor.phase("S6 steady");
        FanOut.parkUntil(start + TimeUnit.SECONDS.toNanos(3));

        monitor.phase("S6 kill");
        long killed = System.nanoTime();
        victim.kill();
        for (Client client : clients) {
            long delay = (long) (ThreadLocalRandom.current().nextDouble() * jitter * 1e9);
            storm.reconnect(client, delay, killed + delay); // latency from the client's own reconnect time, as before
        }
        monitor.phase("S6 storm");
        long deadline = killed + TimeUnit.SECONDS.toNanos(o.integer("storm-timeout", 60));
        while (storm.resumed.get() < count && System.nanoTime() < deadline) {
            LockSupport.parkNanos(20_000_000);
        }
        sending.join();
        storm.over = true;
        long published = pacer.sent();
        monitor.phase("S6 drain");
        long[] finalSeq = finalSequences(survivor.url(), cookies.get(count), prefix, rooms);
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < drainUntil && behind(clients, finalSeq, prefix) > 0) {
            LockSupport.parkNanos(50_000_000);
        }
        long logged = java.util.Arrays.stream(finalSeq).sum();
        long unsent = senders.stream().mapToLong(p -> p.unsent.get()).sum();
        if (logged < (published - unsent) * 0.99) {
            log.printf("S6: only %d of the %d messages sent are in the log (sends lost with a closing publisher socket?)%n", logged, published - unsent);
        }
        long lost = 0;
        long duplicates = 0;
        for (Client c : clients) {
            lost += Math.max(0, finalSeq[Integer.parseInt(c.room.substring(prefix.length()))] - c.lastSeq) + c.jumps;
            duplicates += c.duplicates;
        }
        Result result = new Result(count, storm.back.get(), storm.resumed.get(), Monitor.round((storm.lastBack() - killed) / 1e9),
                Monitor.round((storm.lastResumed() - killed) / 1e9), published, logged, lost, duplicates, storm.refused.get(), storm.failed.get(),
                storm.closedAgain.get(), storm.publisherReconnects.get(), unsent, Latency.of(storm.reconnectLatency.getIntervalHistogram()));
        log.printf("%nS6: %d clients, %d back in %.2f s, %d resumed in %.2f s after the kill; %d messages published (%d in the log, %d not sent"
                + " while a publisher reconnected), %d lost, %d duplicates dropped; %d handshakes refused (503/429), %d attempts failed otherwise,"
                + " %d clients closed again after resuming, %d publisher reconnects%n",
                count, result.reconnected(), result.allBackSeconds(), result.resumed(), result.allResumedSeconds(), published, logged, unsent, lost,
                duplicates, result.refused(), result.failedAttempts(), result.closedAgain(), result.publisherReconnects());
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
