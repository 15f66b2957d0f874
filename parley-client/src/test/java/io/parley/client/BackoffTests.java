package io.parley.client;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTests {

    private static final Duration BASE = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(3);

    @Test
    void theWindowDoublesFromBaseUpToMax() {
        Backoff backoff = new Backoff(BASE, MAX, new SplittableRandom(1));

        assertThat(new long[] {backoff.window(0), backoff.window(1), backoff.window(4), backoff.window(5), backoff.window(40), backoff.window(5000)})
                .containsExactly(ms(100), ms(200), ms(1600), ms(3000), ms(3000), ms(3000));
    }

    @Test
    void everyDelayLiesWithinItsWindowAndSpreadsOverAllOfIt() {
        Backoff backoff = new Backoff(BASE, MAX, new SplittableRandom(42));
        for (int attempt = 0; attempt < 8; attempt++) {
            long window = backoff.window(attempt);
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int sample = 0; sample < 2_000; sample++) {
                backoff.reset();
                for (int i = 0; i < attempt; i++) {
                    backoff.next();
                }
                long delay = backoff.next().toNanos();
                assertThat(delay).isBetween(0L, window);
                min = Math.min(min, delay);
                max = Math.max(max, delay);
            }
            assertThat(min).as("full jitter reaches the bottom of window %d", attempt).isLessThan(window / 20);
            assertThat(max).as("and the top").isGreaterThan(window - window / 20);
        }
    }

    @Test
    void extremesOfTheRandomSourceGiveZeroAndTheWholeWindow() {
        RandomGenerator bottom = () -> 0L;
        RandomGenerator top = () -> -1L;

        assertThat(new Backoff(BASE, MAX, bottom).next()).isZero();
        Backoff topBackoff = new Backoff(BASE, MAX, top);
        assertThat(topBackoff.next()).isEqualTo(BASE);
        assertThat(topBackoff.next()).isEqualTo(BASE.multipliedBy(2));
    }

    @Test
    void resetStartsOverFromTheBaseWindow() {
        Backoff backoff = new Backoff(BASE, MAX, () -> -1L);
        for (int i = 0; i < 10; i++) {
            backoff.next();
        }
        assertThat(backoff.next()).isEqualTo(MAX);

        backoff.reset();

        assertThat(backoff.attempts()).isZero();
        assertThat(backoff.next()).isEqualTo(BASE);
    }

    @Test
    void rejectsAWindowThatCannotWiden() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, MAX, new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(MAX, BASE, new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below base");
    }

    private static long ms(long millis) {
        return Duration.ofMillis(millis).toNanos();
    }
}
