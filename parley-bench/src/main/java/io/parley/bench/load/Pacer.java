package io.parley.bench.load;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Recorder;

/**
 * Open-loop publishing: message {@code k} of a run is due at {@code start + k / rate}, whatever has
 * arrived, and carries that intended time. When the pacer falls behind it sends what is due at once
 * (catching up) and records how late each send was: the publisher lag, which tells a saturated
 * generator from a saturated server. One thread; publishers take turns, each to its rooms in turn.
 *
 * <p>{@link #run} is called by one thread at a time; the counters may be read from any thread.
 */
final class Pacer {

    /** Where a publisher's frames go: its socket, or (S6) whichever socket a reconnecting publisher holds now. */
    interface Sender {
        void send(String frame);
    }

    /** A publisher and the room it sends to. */
    record Target(Sender sender, String room) {}

    private final Wire wire;
    private final List<Target> targets;
    private final String padding;
    private final Recorder lag = new Recorder(3);
    private volatile long sent;
    private long ids;

    Pacer(Wire wire, List<Target> targets, int textBytes) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no publisher");
        }
        this.wire = wire;
        this.targets = targets;
        // "~T" + 19 digits of nanoTime + "~" fill 22 bytes of the text.
        this.padding = "x".repeat(Math.max(0, textBytes - 22));
    }

    /**
     * Publishes {@code messagesPerSecond} from {@code start} until {@code end} (nanoTime) and returns
     * the number of messages whose intended time fell in {@code window}.
     */
    long run(double messagesPerSecond, long start, long end, Window window) {
        double interval = 1e9 / messagesPerSecond;
        long inWindow = 0;
        for (long k = 0; ; k++) {
            long intended = start + (long) (k * interval);
            if (intended >= end) {
                return inWindow;
            }
            long now = System.nanoTime();
            if (intended > now) {
                LockSupport.parkNanos(intended - now);
                now = System.nanoTime();
            }
            lag.recordValue(Math.max(0, (now - intended) / 1000));
            Target target = targets.get((int) (k % targets.size()));
            target.sender().send(wire.send(target.room(), ++ids, intended, padding));
            sent++;
            if (window.contains(intended)) {
                inWindow++;
            }
        }
    }

    long sent() {
        return sent;
    }

    /** How late each send was (µs) since the last call. */
    Recorder lag() {
        return lag;
    }
}
