package io.parley.server.chat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.parley.server.cluster.Registry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UserSendLimitsTests {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final FakeRegistry registry = new FakeRegistry();
    private final UserSendLimits limits = new UserSendLimits(registry,
            new ChatProperties(1000, 500, Duration.ofSeconds(1), 20, 40, Duration.ofSeconds(2), Duration.ofMillis(250)), clock::get);

    @Test
    void aUserMaySendTheBurstAtOnceThenTheRate() {
        registry.nodes("alice", 1);
        UserSendLimits.Bucket alice = limits.acquire("alice");
        assertThat(taken(alice, 100)).isEqualTo(40);
        advance(Duration.ofMillis(1000));
        assertThat(taken(alice, 100)).isEqualTo(20);
        advance(Duration.ofMillis(50));
        assertThat(taken(alice, 100)).isEqualTo(1);
    }

    @Test
    void allConnectionsOfAUserOnANodeShareOneBucketAndOtherUsersHaveTheirOwn() {
        registry.nodes("alice", 1);
        registry.nodes("bob", 1);
        UserSendLimits.Bucket first = limits.acquire("alice");
        UserSendLimits.Bucket second = limits.acquire("alice");
        UserSendLimits.Bucket bob = limits.acquire("bob");
        assertThat(second).isSameAs(first);
        assertThat(taken(first, 30) + taken(second, 30)).isEqualTo(40);
        assertThat(taken(bob, 100)).isEqualTo(40);
    }

    @Test
    void aUserOnTwoNodesGetsHalfTheBurstAndHalfTheRateOnEach() {
        registry.nodes("alice", 2);
        UserSendLimits.Bucket alice = limits.acquire("alice");
        assertThat(taken(alice, 100)).isEqualTo(20);
        advance(Duration.ofSeconds(1));
        assertThat(taken(alice, 100)).isEqualTo(10);
        assertThat(alice.rate()).isEqualTo(10.0);
    }

    @Test
    void theShareFollowsTheNodeCountAfterTheRefreshInterval() {
        registry.nodes("alice", 1);
        UserSendLimits.Bucket alice = limits.acquire("alice");
        alice.tryAcquire(); // the first send reads the node count
        assertThat(alice.rate()).isEqualTo(20.0);
        registry.nodes("alice", 4);
        advance(Duration.ofMillis(1900));
        alice.tryAcquire();
        assertThat(alice.rate()).isEqualTo(20.0);
        advance(Duration.ofMillis(200));
        alice.tryAcquire();
        assertThat(alice.rate()).isEqualTo(5.0);
        // The burst shrinks with the share: at most 10 tokens now.
        advance(Duration.ofSeconds(10));
        assertThat(taken(alice, 100)).isEqualTo(10);
    }

    @Test
    void theBucketLivesWhileTheUserHasAConnectionOnThisNode() {
        registry.nodes("alice", 1);
        UserSendLimits.Bucket first = limits.acquire("alice");
        UserSendLimits.Bucket second = limits.acquire("alice");
        taken(first, 40);
        limits.release(first);
        assertThat(limits.users()).isEqualTo(1);
        assertThat(second.tryAcquire()).isFalse();
        limits.release(second);
        assertThat(limits.users()).isZero();
        assertThat(taken(limits.acquire("alice"), 100)).isEqualTo(40);
    }

    @Test
    void aRegistryThatKnowsNoNodeCountsThisOneAlone() {
        UserSendLimits.Bucket alice = limits.acquire("alice");
        assertThat(taken(alice, 100)).isEqualTo(40);
    }

    private int taken(UserSendLimits.Bucket bucket, int attempts) {
        return (int) IntStream.range(0, attempts).filter(i -> bucket.tryAcquire()).count();
    }

    private void advance(Duration duration) {
        clock.addAndGet(duration.toNanos());
    }

    /** A registry that says how many nodes hold each user's connections. */
    private static final class FakeRegistry implements Registry {
        private final Map<String, Integer> nodes = new HashMap<>();

        void nodes(String user, int count) {
            nodes.put(user, count);
        }

        @Override
        public void connected(String user) {
        }

        @Override
        public void disconnected(String user) {
        }

        @Override
        public Set<String> nodesOf(String user) {
            return IntStream.range(0, nodes.getOrDefault(user, 0)).mapToObj(i -> "n" + i).collect(Collectors.toSet());
        }
    }
}
