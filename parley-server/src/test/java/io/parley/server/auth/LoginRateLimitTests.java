package io.parley.server.auth;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LoginRateLimitTests {

    private final AtomicLong clock = new AtomicLong(5_000_000_000L);

    @Test
    void anAddressMayMakeTheBurstThenOneAttemptPerShareOfThePeriod() {
        LoginRateLimit limit = limit(10);
        assertThat(allowed(limit, "10.0.0.1", 50)).isEqualTo(10);
        assertThat(limit.tryAcquire("10.0.0.1")).isEqualTo(6); // 10 a minute: the next in 6 s
        advance(Duration.ofSeconds(6));
        assertThat(allowed(limit, "10.0.0.1", 50)).isEqualTo(1);
        assertThat(limit.tryAcquire("10.0.0.2")).isZero();
    }

    @Test
    void ipv6AddressesCountByTheirSlash64() {
        LoginRateLimit limit = limit(10);
        assertThat(allowed(limit, "2001:db8::1", 6) + allowed(limit, "2001:db8:0:0:ffff::2", 6)).isEqualTo(10);
        assertThat(allowed(limit, "2001:db8:0:1::1", 20)).isEqualTo(10);
        assertThat(LoginRateLimit.key("::ffff:10.0.0.1")).isEqualTo("10.0.0.1");
    }

    @Test
    void pastTheAddressCapRefilledAddressesAreForgottenAndNewOnesShareOneBucket() {
        LoginRateLimit limit = limit(2);
        allowed(limit, "10.0.0.1", 1);
        allowed(limit, "10.0.0.2", 1);
        // Neither has refilled: newcomers share the overflow bucket of 10.
        assertThat(allowed(limit, "10.0.0.3", 6) + allowed(limit, "10.0.0.4", 6)).isEqualTo(10);
        assertThat(limit.size()).isEqualTo(2);
        advance(Duration.ofMinutes(1));
        assertThat(allowed(limit, "10.0.0.5", 20)).isEqualTo(10);
        assertThat(limit.size()).isEqualTo(1);
    }

    private LoginRateLimit limit(int maxAddresses) {
        return new LoginRateLimit(new LoginRateProperties(10, Duration.ofMinutes(1), 10, maxAddresses), clock::get);
    }

    private static int allowed(LoginRateLimit limit, String address, int attempts) {
        return (int) IntStream.range(0, attempts).filter(i -> limit.tryAcquire(address) == 0).count();
    }

    private void advance(Duration duration) {
        clock.addAndGet(duration.toNanos());
    }
}
