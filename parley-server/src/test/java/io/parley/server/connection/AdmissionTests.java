package io.parley.server.connection;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Admission}'s handshake rate, on a clock the test moves; no socket. */
class AdmissionTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Connections connections = new Connections();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private Admission admission;

    @AfterEach
    void stop() {
        if (admission != null) {
            admission.destroy();
        }
    }

    private Admission admission(int max, double rate, int burst) {
        admission = new Admission(connections, new ConnectionProperties(max, 10, 1.0, Duration.ofSeconds(5), null, rate, burst),
                meters, now::get);
        return admission;
    }

    private int admitted(int attempts) {
        int admitted = 0;
        for (int i = 0; i < attempts; i++) {
            if (admission.tryAdmit() == null) {
                admitted++;
                admission.cancel(); // as a handshake that ended: the rate, not the connection limit, is under test
            }
        }
        return admitted;
    }

    private double refusedFor(String reason) {
        return meters.get("parley.handshakes").tag("result", "refused").tag("reason", reason).counter().count();
    }

    @Test
    void withoutARateEveryHandshakeUnderTheLimitsIsAdmitted() {
        admission(100_000, 0, 0);

        assertThat(admitted(10_000)).isEqualTo(10_000);
        assertThat(refusedFor("handshake_rate")).isZero();
    }

    @Test
    void aBurstIsAdmittedThenTheRateAndTheRestIsRefusedAndCounted() {
        admission(100_000, 100, 20);

        assertThat(admitted(50)).isEqualTo(20);
        assertThat(refusedFor("handshake_rate")).isEqualTo(30);

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100)); // 10 more at 100/s
        assertThat(admitted(50)).isEqualTo(10);

        now.addAndGet(TimeUnit.SECONDS.toNanos(60)); // refills to the burst, not beyond
        assertThat(admitted(50)).isEqualTo(20);
    }

    @Test
    void theBurstDefaultsToOneSecondOfTheRate() {
        admission(100_000, 40, 0);

        assertThat(admitted(100)).isEqualTo(40);
    }

    @Test
    void aHandshakeRefusedForTheConnectionLimitTakesNoTokenAndARateRefusalHoldsNoSlot() {
        admission(2, 3, 3);
        assertThat(admission.tryAdmit()).isNull();
        assertThat(admission.tryAdmit()).isNull();

        assertThat(admission.tryAdmit()).isEqualTo(Admission.Refusal.CONNECTION_LIMIT);
        admission.cancel();
        assertThat(admission.tryAdmit()).as("the third token is still there").isNull();
        admission.cancel();

        assertThat(admission.tryAdmit()).isEqualTo(Admission.Refusal.HANDSHAKE_RATE);
        assertThat(connections.tryReserve(2)).as("the refused handshake gave its slot back").isTrue();
    }
}
