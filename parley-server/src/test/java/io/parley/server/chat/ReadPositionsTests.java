package io.parley.server.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link ReadPositions} on an in-memory H2 table of the migrations' shape. */
class ReadPositionsTests {

    private final ReadPositions positions = new ReadPositions(JdbcClient.create(ChatServiceTests.readPositionsTable()));

    @AfterEach
    void stop() {
        positions.destroy();
    }

    @Test
    void advanceStoresAPositionThatOnlyMovesForward() {
        assertThat(positions.get("alice", "r")).isZero();
        assertThat(positions.advance("alice", "r", 7)).isEqualTo(7);
        assertThat(positions.advance("alice", "r", 3)).as("never backwards").isEqualTo(7);
        assertThat(positions.advance("alice", "r", 9)).isEqualTo(9);
        assertThat(positions.ofUser("alice")).containsExactlyEntriesOf(Map.of("r", 9L));
    }

    @Test
    void advancesFromManyThreadsEndAtTheHighestAndALowerOneLaterChangesNothing() {
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int offset = t;
            senders.add(CompletableFuture.runAsync(() -> {
                for (long seq = 1 + offset; seq <= 2_000; seq += 4) {
                    positions.advanceLater("alice", "r", seq);
                    positions.advanceLater("bob", "r", seq);
                }
            }));
        }
        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).join();

        await().atMost(Duration.ofSeconds(10)).until(() -> positions.get("alice", "r") == 2_000 && positions.get("bob", "r") == 2_000);

        positions.advanceLater("alice", "r", 5);
        positions.advanceLater("carol", "r", 1); // written after alice's on the same single writer
        await().atMost(Duration.ofSeconds(10)).until(() -> positions.get("carol", "r") == 1);
        assertThat(positions.get("alice", "r")).isEqualTo(2_000);
    }
}
