package io.parley.protocol;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

class FrameCodecTests {

    private final FrameCodec codec = new FrameCodec();

    @Test
    void decodesEveryClientFrame() {
        UUID id = UUID.randomUUID();
        assertThat(codec.decodeClient("{\"type\":\"join\",\"room\":\"general\",\"since\":41}"))
                .isEqualTo(new ClientFrame.Join("general", 41L));
        assertThat(codec.decodeClient("{\"type\":\"join\",\"room\":\"general\"}"))
                .isEqualTo(new ClientFrame.Join("general", null));
        assertThat(codec.decodeClient("{\"type\":\"leave\",\"room\":\"general\"}"))
                .isEqualTo(new ClientFrame.Leave("general"));
        assertThat(codec.decodeClient("{\"type\":\"send\",\"room\":\"general\",\"clientMsgId\":\"" + id + "\",\"text\":\"hi\"}"))
                .isEqualTo(new ClientFrame.Send("general", id, "hi"));
        assertThat(codec.decodeClient("{\"type\":\"history\",\"room\":\"general\",\"before\":58,\"limit\":50}"))
                .isEqualTo(new ClientFrame.History("general", 58L, 50));
        assertThat(codec.decodeClient("{\"type\":\"typing\",\"room\":\"dm:alice:bob\"}"))
                .isEqualTo(new ClientFrame.Typing("dm:alice:bob"));
        assertThat(codec.decodeClient("{\"type\":\"ping\",\"id\":\"x\"}")).isEqualTo(new ClientFrame.Ping("x"));
    }

    @Test
    void authFramesCarryATokenThatIsNeverPrintedAndRefreshFramesTheirExpiry() {
        assertThat(codec.decodeClient("{\"type\":\"auth\",\"token\":\"a.b.c\"}")).isEqualTo(new ClientFrame.Auth("a.b.c"));
        assertThat(new ClientFrame.Auth("a.b.c").toString()).doesNotContain("a.b.c");
        assertThatThrownBy(() -> codec.decodeClient("{\"type\":\"auth\"}")).isInstanceOf(BadFrame.class);
        assertThatThrownBy(() -> codec.decodeClient("{\"type\":\"auth\",\"token\":\"" + "x".repeat(Protocol.MAX_TOKEN + 1) + "\"}"))
                .asInstanceOf(type(BadFrame.class))
                .satisfies(bad -> assertThat(bad.code()).isEqualTo(ErrorCode.TOO_LARGE));
        Instant expiresAt = Instant.parse("2026-11-23T10:15:30Z");
        assertThat(codec.encode(new ServerFrame.Refresh(expiresAt))).isEqualTo("{\"type\":\"refresh\",\"expiresAt\":\"2026-11-23T10:15:30Z\"}");
        assertThat(codec.decodeServer(codec.encode(new ServerFrame.Authed(expiresAt)))).isEqualTo(new ServerFrame.Authed(expiresAt));
    }

    @Test
    void ignoresUnknownFieldsForForwardCompatibility() {
        assertThat(codec.decodeClient("{\"type\":\"ping\",\"id\":\"x\",\"future\":true}")).isEqualTo(new ClientFrame.Ping("x"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json                                                  | bad_request | malformed JSON",
            "[1,2]                                                     | bad_request | a frame is a JSON object",
            "{\"room\":\"general\"}                                    | bad_request | missing field 'type'",
            "{\"type\":\"dance\"}                                      | bad_request | unknown type 'dance'",
            "{\"type\":\"join\"}                                       | bad_request | missing field 'room'",
            "{\"type\":\"join\",\"room\":\"Bad Room\"}                 | bad_request | room must match [a-z0-9_-]{1,64} or dm:<userA>:<userB>",
            "{\"type\":\"join\",\"room\":\"dm:bob:alice\"}             | bad_request | a direct room is dm:<userA>:<userB>, two distinct user names in sorted order",
            "{\"type\":\"join\",\"room\":\"general\",\"since\":\"x\"}  | bad_request | invalid value for 'since'",
            "{\"type\":\"send\",\"room\":\"general\",\"text\":\"hi\"}  | bad_request | missing field 'clientMsgId'",
            "{\"type\":\"send\",\"room\":\"general\",\"clientMsgId\":\"nope\",\"text\":\"hi\"} | bad_request | invalid value for 'clientMsgId'",
            "{\"type\":\"history\",\"room\":\"general\",\"limit\":201}  | bad_request | limit must be 1..200",
    })
    void rejectsBadFramesWithAClearMessage(String json, String code, String message) {
        assertThatThrownBy(() -> codec.decodeClient(json))
                .asInstanceOf(type(BadFrame.class))
                .satisfies(bad -> {
                    assertThat(bad.code().wire()).isEqualTo(code);
                    assertThat(bad.getMessage()).isEqualTo(message);
                });
    }

    @Test
    void refusesWhatStrictJsonAndTheProtocolDoNotAllow() {
        String send = "{\"type\":\"send\",\"room\":\"general\",\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":";
        String[][] cases = {
                {"{\"type\":\"join\",\"room\":5}", "bad_request", "invalid value for 'room'"},
                {"{\"type\":\"join\",\"room\":\"general\",\"since\":1.5}", "bad_request", "invalid value for 'since'"},
                {"{\"type\":\"join\",\"room\":\"general\",\"since\":\"41\"}", "bad_request", "invalid value for 'since'"},
                {"{\"type\":\"join\",\"room\":\"general\",\"since\":99999999999999999999}", "bad_request", "invalid value for 'since'"},
                {"{\"type\":\"history\",\"room\":\"general\",\"limit\":true}", "bad_request", "invalid value for 'limit'"},
                {"{\"type\":\"ping\",\"id\":5}", "bad_request", "invalid value for 'id'"},
                {"{\"type\":\"join\",\"room\":\"general\",\"room\":\"other\"}", "bad_request", "malformed JSON"},
                {"{\"type\":\"ping\"} {\"type\":\"ping\"}", "bad_request", "malformed JSON"},
                {"{\"type\":\"ping\",\"x\":" + "[".repeat(17) + "]".repeat(17) + "}", "bad_request", "frame exceeds the protocol's JSON limits"},
                {"{\"type\":\"ping\",\"x\":" + "1".repeat(25) + "}", "bad_request", "frame exceeds the protocol's JSON limits"},
                {"{\"type\":\"ping\",\"" + "n".repeat(65) + "\":1}", "bad_request", "frame exceeds the protocol's JSON limits"},
                {"{\"type\":\"ping\",\"x\":[" + "1,".repeat(1100) + "1]}", "bad_request", "frame exceeds the protocol's JSON limits"},
                {"{\"type\":\"ping\",\"x\":\"" + "y".repeat(Protocol.MAX_FRAME_CHARS) + "\"}", "too_large", "frame must be at most 65536 chars"},
                {"{\"type\":\"<script>\"}", "bad_request", "unknown type"},
                {"{\"type\":\"join\",\"room\":\"dm:bob:bob\"}", "bad_request",
                        "a direct room is between two distinct users: there is no direct room with oneself"},
                {send + "\"   \\n\\t \\u00a0\\u200b\"}", "bad_request", "text must not be only whitespace"},
                {send + "\"bell\\u0007\"}", "bad_request", "text must not contain control characters"},
                {send + "\"nul\\u0000\"}", "bad_request", "text must not contain control characters"},
                {send + "\"c1\\u009b\"}", "bad_request", "text must not contain control characters"},
                {send + "\"half \\ud83d\"}", "bad_request", "text must not contain unpaired surrogates"},
                {"{\"type\":\"ping\",\"id\":\"a\\u001bb\"}", "bad_request", "id must not contain control characters"},
                {"{\"type\":\"auth\",\"token\":\"a b\"}", "bad_request", "token must be printable ASCII"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> codec.decodeClient(c[0]))
                    .as(c[0].substring(0, Math.min(80, c[0].length())))
                    .asInstanceOf(type(BadFrame.class))
                    .satisfies(bad -> {
                        assertThat(bad.code().wire()).isEqualTo(c[1]);
                        assertThat(bad.getMessage()).startsWith(c[2]);
                    });
        }
    }

    @Test
    void acceptsTextWithLineBreaksEmojiAndAnyScript() {
        UUID id = UUID.randomUUID();
        String text = "line one\nline two\t\ud83d\ude00 漢字 é";
        assertThat(codec.decodeClient(codec.encode(new ClientFrame.Send("general", id, text))))
                .isEqualTo(new ClientFrame.Send("general", id, text));
    }

    @Test
    void tooLongTextIsTooLargeAndRefersToTheClientMsgId() {
        UUID id = UUID.randomUUID();
        String json = "{\"type\":\"send\",\"room\":\"general\",\"clientMsgId\":\"" + id + "\",\"text\":\"" + "x".repeat(4001) + "\"}";
        assertThatThrownBy(() -> codec.decodeClient(json))
                .asInstanceOf(type(BadFrame.class))
                .satisfies(bad -> {
                    assertThat(bad.code()).isEqualTo(ErrorCode.TOO_LARGE);
                    assertThat(bad.ref()).isEqualTo(id.toString());
                });
    }

    @Test
    void errorFrameRefIsTheTypeWhenThereIsNoClientMsgId() {
        assertThatThrownBy(() -> codec.decodeClient("{\"type\":\"join\"}"))
                .asInstanceOf(type(BadFrame.class))
                .satisfies(bad -> assertThat(bad.ref()).isEqualTo("join"));
    }

    @Test
    void serverFramesRoundTripWithTheirType() {
        UUID id = UUID.randomUUID();
        Instant ts = Instant.parse("2026-11-23T10:15:30.123Z");
        ServerFrame.Message message = new ServerFrame.Message("general", 58, "alice", "hi", ts, id);
        String json = codec.encode(message);
        assertThat(json).startsWith("{\"type\":\"message\"").contains("\"ts\":\"2026-11-23T10:15:30.123Z\"");
        assertThat(codec.decodeServer(json)).isEqualTo(message);
        for (ServerFrame frame : List.of(
                new ServerFrame.Welcome("alice", "node-1", 1),
                new ServerFrame.Joined("general", 57),
                new ServerFrame.Left("general"),
                new ServerFrame.Sent("general", id, 58),
                new ServerFrame.History("general", List.of(message)),
                new ServerFrame.Typing("general", "alice"),
                new ServerFrame.Presence("general", List.of("alice", "bob")),
                new ServerFrame.PresenceDelta("general", List.of("carol"), List.of("alice")),
                new ServerFrame.PresenceDelta("general", List.of(), List.of("alice")),
                new ServerFrame.Gap("general", 59, 70),
                new ServerFrame.Pong("x"),
                new ServerFrame.Error(ErrorCode.FORBIDDEN, "no", null))) {
            assertThat(codec.decodeServer(codec.encode(frame))).isEqualTo(frame);
        }
        assertThat(codec.encode(new ServerFrame.Error(ErrorCode.BAD_REQUEST, "x", null)))
                .isEqualTo("{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"x\"}");
    }

    @Test
    void presenceDeltasLeaveOutEmptyListsAndDecodeThemAsEmpty() {
        ServerFrame.PresenceDelta joinedOnly = new ServerFrame.PresenceDelta("general", List.of("carol"), List.of());
        assertThat(codec.encode(joinedOnly)).isEqualTo("{\"type\":\"presence-delta\",\"room\":\"general\",\"joined\":[\"carol\"]}");
        assertThat(codec.decodeServer("{\"type\":\"presence-delta\",\"room\":\"general\",\"left\":[\"bob\"]}"))
                .isEqualTo(new ServerFrame.PresenceDelta("general", List.of(), List.of("bob")));
        assertThat(codec.encode(new ServerFrame.Presence("general", List.of())))
                .isEqualTo("{\"type\":\"presence\",\"room\":\"general\",\"online\":[]}");
    }

    @Test
    void clientFramesEncodeForTheJavaClient() {
        UUID id = UUID.randomUUID();
        ClientFrame send = new ClientFrame.Send("general", id, "hi");
        assertThat(codec.decodeClient(codec.encode(send))).isEqualTo(send);
        assertThat(codec.encode(new ClientFrame.Join("general", null))).isEqualTo("{\"type\":\"join\",\"room\":\"general\"}");
    }
}
