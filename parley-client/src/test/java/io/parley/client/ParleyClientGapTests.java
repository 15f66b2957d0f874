package io.parley.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ServerFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.parley.client.TestMessages.message;
import static io.parley.client.TestMessages.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static io.parley.client.TestMessages.eventually;

/** Recovery from {@code gap} frames and sequence jumps: the missing range comes from history, in order. */
class ParleyClientGapTests {

    private final ClientFixture fixture = new ClientFixture();
    private FakeTransport.Connection connection;

    @BeforeEach
    void joinGeneral() {
        connection = fixture.connect("alice");
        fixture.client.join("general");
        connection.awaitSent(1);
        connection.push(new ServerFrame.Joined("general", 0), message("general", 1));
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void aGapIsFilledFromHistoryAndDeliveredBeforeLaterMessages() {
        connection.push(new ServerFrame.Gap("general", 2, 4), message("general", 5), message("general", 6));

        assertThat(connection.awaitSent(2).get(1)).isEqualTo(new ClientFrame.History("general", 5L, 3));
        assertThat(fixture.delivered("general")).as("5 and 6 wait for the fill").containsExactly(1L);
        assertThat(fixture.frames).anyMatch(frame -> frame instanceof ServerFrame.Gap);

        connection.push(new ServerFrame.History("general", messages("general", 2, 4)), message("general", 7));

        assertThat(fixture.delivered("general")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(fixture.client.lastSeq("general")).isEqualTo(7);
        assertThat(fixture.frames).as("the fill's history frame stays internal").noneMatch(frame -> frame instanceof ServerFrame.History);
    }

    @Test
    void aLargeGapIsFilledInPagesOldestFirst() {
        connection.push(new ServerFrame.Gap("general", 2, 450), message("general", 451));

        assertThat(connection.awaitSent(2).get(1)).isEqualTo(new ClientFrame.History("general", 202L, 200));
        connection.push(new ServerFrame.History("general", messages("general", 2, 201)));
        assertThat(connection.awaitSent(3).get(2)).isEqualTo(new ClientFrame.History("general", 402L, 200));
        assertThat(fixture.client.lastSeq("general")).as("each page is delivered as it comes").isEqualTo(201);
        connection.push(new ServerFrame.History("general", messages("general", 202, 401)));
        assertThat(connection.awaitSent(4).get(3)).isEqualTo(new ClientFrame.History("general", 451L, 49));
        connection.push(new ServerFrame.History("general", messages("general", 402, 450)));

        assertThat(fixture.delivered("general")).hasSize(451).isSorted().doesNotHaveDuplicates();
        assertThat(fixture.client.lastSeq("general")).isEqualTo(451);
        assertThat(connection.sent()).hasSize(4);
    }

    @Test
    void aSequenceJumpWithoutAGapFrameIsFilledToo() {
        connection.push(message("general", 4));

        assertThat(connection.awaitSent(2).get(1)).isEqualTo(new ClientFrame.History("general", 4L, 2));
        connection.push(new ServerFrame.History("general", messages("general", 2, 3)));

        assertThat(fixture.delivered("general")).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void theUsersOwnHistoryRequestIsNotMistakenForAFill() {
        var page = fixture.client.history("general", 2L, 1);
        connection.awaitSent(2);
        connection.push(new ServerFrame.Gap("general", 2, 3));
        assertThat(connection.awaitSent(3).get(2)).isEqualTo(new ClientFrame.History("general", 4L, 2));

        connection.push(new ServerFrame.History("general", List.of(message("general", 1))),
                new ServerFrame.History("general", messages("general", 2, 3)));

        assertThat(page).succeedsWithin(Duration.ofSeconds(5)).satisfies(m -> assertThat(m).extracting(ServerFrame.Message::seq).containsExactly(1L));
        assertThat(fixture.delivered("general")).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aRefusedFillMakesTheClientResumeTheRoomOnANewConnection() {
        connection.push(new ServerFrame.Gap("general", 2, 3));
        connection.awaitSent(2);

        connection.push(new ServerFrame.Error(ErrorCode.INTERNAL, "database unavailable", "history"));

        FakeTransport.Connection second = fixture.transport.attempt(1).accept("alice");
        assertThat(second.awaitSent(1)).containsExactly(new ClientFrame.Join("general", 1L));
        second.push(new ServerFrame.Joined("general", 3), message("general", 2), message("general", 3));
        eventually().until(() -> fixture.delivered("general").size() == 3);
        assertThat(fixture.delivered("general")).containsExactly(1L, 2L, 3L);
    }
}
