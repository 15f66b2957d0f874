package io.parley.client;

import java.util.ArrayList;
import java.util.List;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.ServerFrame.Message;
import org.junit.jupiter.api.Test;

import static io.parley.client.TestMessages.message;
import static io.parley.client.TestMessages.messages;
import static org.assertj.core.api.Assertions.assertThat;

class RoomSequencerTests {

    private final RoomSequencer room = new RoomSequencer("general", 0);
    private final List<Long> delivered = new ArrayList<>();

    @Test
    void deliversConsecutiveMessagesAndDropsDuplicates() {
        offer(1, 2, 2, 1, 3);

        assertThat(delivered).containsExactly(1L, 2L, 3L);
        assertThat(room.delivered()).isEqualTo(3);
        assertThat(room.nextFill()).isNull();
    }

    @Test
    void holdsMessagesAfterAHoleAndAsksForTheHole() {
        offer(1, 4, 5);

        assertThat(delivered).containsExactly(1L);
        assertThat(room.held()).isEqualTo(2);
        assertThat(room.nextFill()).isEqualTo(new ClientFrame.History("general", 4L, 2));
        assertThat(room.nextFill()).as("one fill in flight at a time").isNull();

        take(room.onFill(messages("general", 2, 3)));

        assertThat(delivered).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(room.held()).isZero();
    }

    @Test
    void aLateLiveMessageInsideTheHoleIsDeliveredOnceAndTheFillSkipsIt() {
        offer(1, 4);
        assertThat(room.nextFill()).isEqualTo(new ClientFrame.History("general", 4L, 2));

        offer(2);
        take(room.onFill(messages("general", 2, 3)));

        assertThat(delivered).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void aGapBeyondEverythingReceivedIsFilledUpToItsEnd() {
        offer(1);
        room.onGap(2, 3);

        assertThat(room.nextFill()).isEqualTo(new ClientFrame.History("general", 4L, 2));
        take(room.onFill(messages("general", 2, 3)));
        assertThat(room.nextFill()).isNull();
        assertThat(delivered).containsExactly(1L, 2L, 3L);
    }

    @Test
    void sequencesMissingFromAFillPageAreSkippedNotAwaitedForever() {
        offer(1, 5);
        room.nextFill();

        take(room.onFill(List.of(message("general", 3))));

        assertThat(delivered).containsExactly(1L, 3L, 5L);
        assertThat(room.nextFill()).isNull();
    }

    @Test
    void aGapAlreadyDeliveredIsIgnored() {
        offer(1, 2, 3);
        room.onGap(2, 3);

        assertThat(room.nextFill()).isNull();
    }

    @Test
    void resetForgetsHeldMessagesAndFillsSoTheReplayStartsFromTheLastDelivered() {
        offer(1, 4);
        room.nextFill();

        room.reset();

        assertThat(room.held()).isZero();
        assertThat(room.since()).isEqualTo(1L);
        assertThat(room.nextFill()).isNull();
        offer(2, 3, 4);
        assertThat(delivered).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void aRoomJoinedWithoutSinceStartsAtTheLastSeqOfJoined() {
        RoomSequencer fresh = new RoomSequencer("general", RoomSequencer.UNKNOWN);
        assertThat(fresh.since()).isNull();

        fresh.onJoined(41);
        fresh.onJoined(7); // a re-join's joined does not move it

        assertThat(fresh.since()).isEqualTo(41L);
        assertThat(fresh.onMessage(message("general", 41))).isEmpty();
        assertThat(fresh.onMessage(message("general", 42))).extracting(Message::seq).containsExactly(42L);
    }

    private void offer(long... seqs) {
        for (long seq : seqs) {
            take(room.onMessage(message("general", seq)));
        }
    }

    private void take(List<Message> messages) {
        messages.forEach(m -> delivered.add(m.seq()));
    }
}
