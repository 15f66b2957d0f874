package io.parley.server.connection;

/**
 * A token bucket of inbound frames for one connection: {@code burst} frames at once, refilled at
 * {@code perSecond}. A frame over the limit is answered with {@code rate_limited} and not handled.
 * Thread-safe.
 */
final class FrameRateLimiter {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    FrameRateLimiter(double perSecond, int burst) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate must be > 0 and burst >= 1");
        }
        this.perNano = perSecond / 1_000_000_000d;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    synchronized boolean tryAcquire() {
        return tryAcquire(System.nanoTime());
    }

    synchronized boolean tryAcquire(long now) {
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
