package io.parley.protocol;

import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fuzzes the client-frame decoder and the frames' own validation with {@link HostileFrames}: a
 * bounded number of tries (5,000 by default, a few seconds), from a fixed seed so that CI runs the
 * same inputs every time. {@code -Dparley.fuzz.tries=1000000 -Dparley.fuzz.seed=random} searches
 * further; a failure names its seed and try.
 *
 * <p>For every input: the decoder either returns a frame that is valid by the protocol (its fields
 * pass the rules again and it survives a round trip) or throws {@link BadFrame}, nothing else; the
 * error frame made from it has a defined code, a short message that shows nothing of the parser or
 * the JVM, and a ref that is either absent or a plain identifier.
 */
class FrameCodecFuzzTests {

    private static final Pattern INTERNALS = Pattern.compile(
            "(?i)exception|jackson|java\\.|tools\\.|\\bat [a-z]|line: ?\\d|column: ?\\d|source|constraints\\(|\\$|@[0-9a-f]{4,}");
    private static final Pattern REF = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final FrameCodec codec = new FrameCodec();

    @Test
    void noInputMakesTheDecoderThrowAnythingButABadFrameThatShowsNoInternals() {
        int tries = Integer.getInteger("parley.fuzz.tries", 5_000);
        String seedProperty = System.getProperty("parley.fuzz.seed", "20261123");
        long seed = "random".equals(seedProperty) ? new Random().nextLong() : Long.parseLong(seedProperty);
        HostileFrames frames = new HostileFrames(new Random(seed));
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < tries; i++) {
            String input = frames.next();
            String where = "seed " + seed + ", try " + i + ", input " + printable(input);
            ClientFrame frame;
            try {
                frame = codec.decodeClient(input);
            } catch (BadFrame bad) {
                refused++;
                checkErrorFrame(bad, where);
                continue;
            } catch (Throwable other) {
                throw new AssertionError("the decoder threw " + other + " (" + where + ")", other);
            }
            accepted++;
            checkValid(frame, where);
        }
        // The generator is worth its name only if it reaches both sides of the decoder.
        assertThat(accepted).as("frames accepted").isGreaterThan(tries / 100);
        assertThat(refused).as("frames refused").isGreaterThan(tries / 2);
    }

    @Test
    void validFramesStillDecodeAfterTheirHostileNeighbours() {
        HostileFrames frames = new HostileFrames(new Random(7));
        for (int i = 0; i < 500; i++) {
            assertThat(codec.decodeClient(frames.validFrame())).isNotNull();
        }
    }

    private void checkErrorFrame(BadFrame bad, String where) {
        ServerFrame.Error error = bad.toErrorFrame();
        assertThat(error.code()).as(where).isNotNull();
        assertThat(error.message()).as(where).isNotBlank().hasSizeLessThanOrEqualTo(200);
        if (INTERNALS.matcher(error.message()).find()) {
            fail("error message shows internals: " + error.message() + " (" + where + ")");
        }
        if (error.ref() != null) {
            assertThat(error.ref()).as(where).matches(REF);
        }
        String encoded = codec.encode(error);
        assertThat(codec.decodeServer(encoded)).as(where).isEqualTo(error);
    }

    /** A decoded frame obeys the protocol's rules: building it again from its fields passes, and it round-trips. */
    private void checkValid(ClientFrame frame, String where) {
        try {
            ClientFrame again;
            if (frame instanceof ClientFrame.Join join) {
                again = new ClientFrame.Join(join.room(), join.since());
            } else if (frame instanceof ClientFrame.Leave leave) {
                again = new ClientFrame.Leave(leave.room());
            } else if (frame instanceof ClientFrame.Send send) {
                again = new ClientFrame.Send(send.room(), send.clientMsgId(), send.text());
            } else if (frame instanceof ClientFrame.History history) {
                again = new ClientFrame.History(history.room(), history.before(), history.limit());
            } else if (frame instanceof ClientFrame.Typing typing) {
                again = new ClientFrame.Typing(typing.room());
            } else if (frame instanceof ClientFrame.Ping ping) {
                again = new ClientFrame.Ping(ping.id());
            } else if (frame instanceof ClientFrame.Auth auth) {
                again = new ClientFrame.Auth(auth.token());
            } else {
                throw new AssertionError("unknown frame " + frame);
            }
            assertThat(codec.decodeClient(codec.encode(again))).as(where).isEqualTo(frame);
        } catch (BadFrame bad) {
            fail("an accepted frame breaks the protocol's rules: " + bad.getMessage() + " (" + where + ")");
        }
        if (frame instanceof ClientFrame.Send send) {
            assertThat(Texts.isBlank(send.text())).as(where).isFalse();
        }
    }

    private static String printable(String input) {
        StringBuilder out = new StringBuilder();
        for (char c : input.substring(0, Math.min(input.length(), 300)).toCharArray()) {
            out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.append(input.length() > 300 ? "... (" + input.length() + " chars)" : "").toString();
    }
}
