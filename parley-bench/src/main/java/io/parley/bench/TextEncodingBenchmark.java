package io.parley.bench;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import org.apache.tomcat.util.buf.Utf8Encoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a text frame's UTF-8 encoding costs per recipient on Tomcat, against what sending shared
 * pre-encoded bytes would cost. {@code tomcatPerRecipient} repeats what
 * {@code WsRemoteEndpointImplBase.sendStringByCompletion} does for every recipient of a broadcast:
 * wrap the String in a {@code CharBuffer} and encode it with Tomcat's {@code Utf8Encoder} into the
 * session's 8 KiB encoder buffer. {@code sharedPerRecipient} is the per-recipient cost of bytes
 * encoded once (a {@code ByteBuffer} view of them); {@code encodeOnce} is that one encoding, paid
 * once per message. The frame is a room message of 64 characters of text, about 230 bytes, as in
 * the load tool's S2.
 *
 * <p>Run with {@code scripts/bench TextEncodingBenchmark -prof gc}. Results: docs/benchmarks.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TextEncodingBenchmark {

    private final CharsetEncoder encoder = new Utf8Encoder();
    private final ByteBuffer encoderBuffer = ByteBuffer.allocate(8192);
    private String text;
    private ByteBuffer shared;

    @Setup
    public void frame() {
        String body = "~T123456789012345~" + "x".repeat(64 - 18);
        text = new FrameCodec().encode(new ServerFrame.Message("room-1", 123_456, "bench42", body,
                Instant.parse("2026-12-02T10:00:00.123456Z"), UUID.randomUUID()));
        shared = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    @Benchmark
    public int tomcatPerRecipient() {
        encoderBuffer.clear();
        CoderResult result = encoder.reset().encode(CharBuffer.wrap(text), encoderBuffer, true);
        if (result.isError()) {
            throw new IllegalStateException(result.toString());
        }
        encoderBuffer.flip();
        return encoderBuffer.remaining();
    }

    @Benchmark
    public int sharedPerRecipient() {
        return shared.duplicate().remaining();
    }

    @Benchmark
    public int encodeOnce() {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
