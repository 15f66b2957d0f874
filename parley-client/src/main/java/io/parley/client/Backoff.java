package io.parley.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter (the AWS architecture blog's "Full Jitter"): attempt
 * {@code n} (from 0) waits a uniformly random time in {@code [0, min(max, base * 2^n)]}. Spreading
 * every delay over the whole window, rather than adding a little noise to a fixed delay, is what
 * keeps thousands of clients dropped by one node at the same instant from coming back at the same
 * instant.
 *
 * <p>Not thread-safe: a {@link ParleyClient} uses it from its event loop only.
 */
final class Backoff {

    private final long baseNanos;
    private final long maxNanos;
    private final RandomGenerator random;
    private int attempt;

    /**
     * @param base the window of the first attempt; positive
     * @param max the largest window; at least {@code base}
     */
    Backoff(Duration base, Duration max, RandomGenerator random) {
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("backoff base must be positive: " + base);
        }
        if (max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff max " + max + " is below base " + base);
        }
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** The delay before the next attempt; each call widens the window for the one after, up to the max. */
    Duration next() {
        long window = window(attempt);
        if (attempt < 62) {
            attempt++;
        }
        return Duration.ofNanos((long) (random.nextDouble() * (window + 1)));
    }

    /** The upper bound of the delay of attempt {@code n}: {@code min(max, base * 2^n)}. */
    long window(int n) {
        if (n >= 62 || baseNanos > (maxNanos >> Math.min(n, 62))) {
            return maxNanos;
        }
        return Math.min(maxNanos, baseNanos << n);
    }

    /** Starts over from the base window: called after a connection stayed up long enough to count as stable. */
    void reset() {
        attempt = 0;
    }

    /** How many delays were handed out since the last reset. */
    int attempts() {
        return attempt;
    }
}
