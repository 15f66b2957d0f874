package io.parley.server.connection;

/**
 * A token bucket: {@code burst} tokens at most, refilled at {@code perSecond}; each admitted event
 * takes one. Times are {@link System#nanoTime()} values passed in, so that tests drive the clock.
 * Thread-safe (one monitor: the buckets here are taken a few thousand times a second at most).
 */
public final class TokenBucket {

    private final double burst;
    private final double perNano;
    private double tokens;
    private long last;

    public TokenBucket(double perSecond, double burst, long now) {
        if (!(perSecond > 0) || !(burst >= 1)) {
            throw new IllegalArgumentException("a token bucket needs a rate > 0 and a burst >= 1, got " + perSecond + ", " + burst);
        }
        this.burst = burst;
        this.perNano = perSecond / 1e9;
        this.tokens = burst;
        this.last = now;
    }

    /** Takes one token: 0 when there was one, else the whole seconds until there is one (at least 1). */
    public synchronized long tryAcquire(long now) {
        refill(now);
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / perNano / 1e9 - 1e-6));
    }

    /** Whether the bucket holds its whole burst again (it then holds nothing an new one would not). */
    public synchronized boolean isFull(long now) {
        refill(now);
        return tokens >= burst;
    }

    private void refill(long now) {
        if (now > last) {
            tokens = Math.min(burst, tokens + (now - last) * perNano);
            last = now;
        }
    }
}
