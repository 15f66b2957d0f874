package io.parley.server.chat;

import java.util.List;

import io.parley.server.connection.Outgoing;
import io.parley.server.connection.TestConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionTests {

    private static Outgoing message(long seq) {
        return Outgoing.roomMessage("{\"seq\":" + seq + "}", "general", seq);
    }

    @Test
    void liveMessagesDuringReplayAreHeldThenReleasedAboveTheHeadInOrder() {
        TestConnection bob = TestConnection.open("c1", "bob", "http-1");
        Subscription subscription = new Subscription(bob.connection(), "general");
        // The room's head was 5 when the subscription started; 4 and 5 come again through the bus.
        subscription.offer(message(4));
        subscription.offer(message(5));
        subscription.offer(message(6));
        subscription.offer(message(7));
        assertThat(bob.written()).isEmpty();
        assertThat(subscription.isLive()).isFalse();

        bob.connection().send(message(5)); // the replay's last message
        subscription.finishReplay(5);

        assertThat(bob.written()).containsExactly("{\"seq\":5}", "{\"seq\":6}", "{\"seq\":7}");
        assertThat(subscription.isLive()).isTrue();
    }

    @Test
    void onceLiveNothingAtOrBelowTheLastDeliveredIsSentAgain() {
        TestConnection bob = TestConnection.open("c1", "bob", "http-1");
        Subscription subscription = new Subscription(bob.connection(), "general");
        subscription.finishReplay(0);
        for (long seq : List.of(1L, 2L, 2L, 1L, 3L)) {
            subscription.offer(message(seq));
        }
        assertThat(bob.written()).containsExactly("{\"seq\":1}", "{\"seq\":2}", "{\"seq\":3}");
    }
}
