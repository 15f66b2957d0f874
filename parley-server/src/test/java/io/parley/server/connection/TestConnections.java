package io.parley.server.connection;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.util.unit.DataSize;

/**
 * Real {@link Connection}s for unit tests of other packages: each writes through a real
 * {@link OutboundQueue} into a sink that completes every write at once and records the text.
 */
public final class TestConnections implements AutoCloseable {

    private final OutboundQueues queues = new OutboundQueues(
            new OutboundProperties(Duration.ofSeconds(10), DataSize.ofKilobytes(512), OverflowStrategy.RESYNC, DataSize.ofMegabytes(64)),
            new SimpleMeterRegistry());

    /** A connection and what was written to its socket. */
    public record Recorded(Connection connection, TestFrameSink sink) {

        /** The texts written to the socket, in order; the same String instance a sender handed over. */
        public List<String> written() {
            return sink.written();
        }
    }

    public Recorded open(String user) {
        TestFrameSink sink = TestFrameSink.immediate();
        Connection connection = new Connection(UUID.randomUUID().toString(), user, null, queues.open(sink),
                new FrameRateLimiter(1000, 1000));
        return new Recorded(connection, sink);
    }

    @Override
    public void close() {
        queues.close();
    }
}
