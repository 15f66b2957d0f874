package io.parley.server.connection;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameRateLimiterTests {

    @Test
    void allowsABurstThenTheSustainedRate() {
        FrameRateLimiter limiter = new FrameRateLimiter(10, 3);
        long t = System.nanoTime();
        assertThat(limiter.tryAcquire(t)).isTrue();
        assertThat(limiter.tryAcquire(t)).isTrue();
        assertThat(limiter.tryAcquire(t)).isTrue();
        assertThat(limiter.tryAcquire(t)).isFalse();
        assertThat(limiter.tryAcquire(t + 50_000_000L)).isFalse();
        assertThat(limiter.tryAcquire(t + 100_000_000L)).isTrue();
        assertThat(limiter.tryAcquire(t + 100_000_000L)).isFalse();
    }

    @Test
    void neverAccumulatesMoreThanTheBurst() {
        FrameRateLimiter limiter = new FrameRateLimiter(1000, 2);
        long t = System.nanoTime() + 10_000_000_000L;
        assertThat(limiter.tryAcquire(t)).isTrue();
        assertThat(limiter.tryAcquire(t)).isTrue();
        assertThat(limiter.tryAcquire(t)).isFalse();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new FrameRateLimiter(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrameRateLimiter(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
