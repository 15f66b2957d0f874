package io.parley.server.connection;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.CloseStatus;

/**
 * A {@link Connection} for unit tests of the layers above {@code connection}: a real outbound queue
 * over a sink that completes every write at once and records it. No socket, no thread.
 */
public final class TestConnection {

    private final Connection connection;
    private final TestFrameSink sink;

    private TestConnection(Connection connection, TestFrameSink sink) {
        this.connection = connection;
        this.sink = sink;
    }

    public static TestConnection open(String id, String user, String httpSessionId) {
        OutboundQueues queues = new OutboundQueues(new OutboundProperties(Duration.ofSeconds(10), DataSize.ofMegabytes(1),
                OverflowStrategy.TERMINATE, DataSize.ofMegabytes(16)), new SimpleMeterRegistry(), System::nanoTime, false);
        TestFrameSink sink = TestFrameSink.immediate();
        return new TestConnection(new Connection(id, user, httpSessionId, queues.open(sink), new FrameRateLimiter(1000, 1000),
                new TextAssembler(64 * 1024)), sink);
    }

    public Connection connection() {
        return connection;
    }

    /** The frames written so far, in order. */
    public List<String> written() {
        return sink.written();
    }

    /** The frames written so far, in order, as the objects the queue handed to the socket. */
    public List<Outgoing> frames() {
        return sink.frames();
    }

    /** Runs {@code action} inside every following write, on the writing thread. */
    public void duringWrite(Runnable action) {
        sink.duringWrite(action);
    }

    public List<CloseStatus> closes() {
        return sink.closes();
    }
}
