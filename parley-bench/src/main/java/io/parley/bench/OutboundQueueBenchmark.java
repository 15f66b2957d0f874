package io.parley.bench;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.connection.FrameSink;
import io.parley.server.connection.OutboundProperties;
import io.parley.server.connection.OutboundQueue;
import io.parley.server.connection.OutboundQueues;
import io.parley.server.connection.Outgoing;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.web.socket.CloseStatus;

/**
 * The cost of delivering one room message to 1, 100 and 1000 subscribers through their
 * {@link OutboundQueue}s: encode once, one {@link Outgoing} shared by all, {@code enqueue} on each
 * queue, and the write on a socket that completes at once (the fast path of a healthy client). One
 * JMH operation is one delivery, so {@code ns/op} and, with {@code -prof gc}, {@code
 * gc.alloc.rate.norm} are per delivery.
 *
 * <p>Run with {@code scripts/bench OutboundQueueBenchmark -prof gc}. Results: docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OutboundQueueBenchmark {

    private OutboundQueues node;
    private OutboundQueue[] queues;
    private CompletingSink[] sinks;
    private String text;
    private long seq;

    @Setup(Level.Trial)
    public void open() {
        node = new OutboundQueues(OutboundProperties.defaults(), new SimpleMeterRegistry());
        queues = new OutboundQueue[1000];
        sinks = new CompletingSink[queues.length];
        for (int i = 0; i < queues.length; i++) {
            sinks[i] = new CompletingSink();
            queues[i] = node.open(sinks[i]);
        }
        // A typical chat line: ~200 bytes of JSON.
        text = new FrameCodec().encode(new ServerFrame.Message("general", 1, "alice",
                "Shall we move the stand-up to 10:30 tomorrow? The build server is down until then.",
                Instant.parse("2026-11-23T14:23:58Z"), UUID.fromString("6f1c2a52-2c4e-4d55-9a9b-0f0e3c1f7d10")));
    }

    @TearDown(Level.Trial)
    public void close() {
        long written = 0;
        for (CompletingSink sink : sinks) {
            written += sink.written;
        }
        if (written == 0 || node.stats().bufferedBytes() != 0) {
            throw new IllegalStateException("nothing written or bytes left buffered: " + node.stats());
        }
        node.close();
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public void deliverTo1() {
        deliver(1);
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public void deliverTo100() {
        deliver(100);
    }

    @Benchmark
    @OperationsPerInvocation(1000)
    public void deliverTo1000() {
        deliver(1000);
    }

    private void deliver(int subscribers) {
        Outgoing frame = Outgoing.roomMessage(text, "general", ++seq);
        for (int i = 0; i < subscribers; i++) {
            queues[i].enqueue(frame);
        }
    }

    /** A socket that accepts every frame at once: the write completes during the call. */
    static final class CompletingSink implements FrameSink {

        long written;

        @Override
        public void write(Outgoing frame, Consumer<@Nullable Throwable> done) {
            written += frame.bytes();
            done.accept(null);
        }

        @Override
        public void ping(Consumer<@Nullable Throwable> done) {
            done.accept(null);
        }

        @Override
        public void close(CloseStatus status) {
        }

        @Override
        public boolean isOpen() {
            return true;
        }
    }
}
