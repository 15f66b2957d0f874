package io.parley.bench.load;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Opens connections at a fixed rate (open loop: connection {@code i} is due at {@code start + i / rate}
 * and its connect latency counts from then), with at most {@code maxInFlight} handshakes pending so a
 * slow server is not buried. Connections that fail are counted, not retried.
 */
final class Ramp {

    /** The connections that became ready, and how many failed. */
    record Result(List<BenchSocket> sockets, int failed, String firstFailure) {}

    private Ramp() {}

    static Result open(Generator generator, Wire wire, URI server, List<String> cookies, double perSecond, int maxInFlight) {
        Semaphore inFlight = new Semaphore(maxInFlight);
        List<CompletableFuture<BenchSocket>> pending = new ArrayList<>(cookies.size());
        AtomicInteger failed = new AtomicInteger();
        String[] firstFailure = {""};
        long start = System.nanoTime();
        for (int i = 0; i < cookies.size(); i++) {
            long intended = start + (long) (i * 1e9 / perSecond);
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            try {
                if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(maxInFlight + " handshakes pending for 60 s: the server does not answer");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            CompletableFuture<BenchSocket> ready = generator.connect(server, wire, cookies.get(i), intended);
            ready.whenComplete((s, e) -> {
                inFlight.release();
                if (e != null && failed.getAndIncrement() == 0) {
                    firstFailure[0] = e.toString();
                }
            });
            pending.add(ready);
        }
        List<BenchSocket> sockets = new ArrayList<>(pending.size());
        for (CompletableFuture<BenchSocket> ready : pending) {
            try {
                sockets.add(ready.get(90, TimeUnit.SECONDS));
            } catch (Exception e) {
                // counted in failed
            }
        }
        return new Result(sockets, failed.get(), firstFailure[0]);
    }

    /** Joins each socket to its room, {@code maxInFlight} at a time; fails if any join fails. */
    static void join(List<BenchSocket> sockets, List<String> rooms, int maxInFlight) {
        Semaphore inFlight = new Semaphore(maxInFlight);
        List<CompletableFuture<Void>> joins = new ArrayList<>();
        for (int i = 0; i < sockets.size(); i++) {
            inFlight.acquireUninterruptibly();
            CompletableFuture<Void> joined = sockets.get(i).join(rooms.get(i));
            joined.whenComplete((v, e) -> inFlight.release());
            joins.add(joined);
        }
        CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).orTimeout(120, TimeUnit.SECONDS).join();
    }
}
