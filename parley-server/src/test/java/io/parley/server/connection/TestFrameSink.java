package io.parley.server.connection;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.springframework.web.socket.CloseStatus;

/**
 * A socket whose write completions the test controls, in the spirit of Spring's
 * {@code TestWebSocketSession} and {@code BlockingWebSocketSession}: {@link #manual()} holds every
 * write until {@link #complete()}, {@link #immediate()} completes during the call, {@link #async}
 * completes on another thread. Records what happens in order, and whether the one-writer rule was
 * ever broken. Thread-safe; callbacks run outside its lock.
 */
final class TestFrameSink implements FrameSink {

    private enum Mode { MANUAL, IMMEDIATE, ASYNC }

    private volatile Mode mode;
    private final @Nullable Executor executor;
    private final List<String> written = new ArrayList<>();
    private final List<Outgoing> frames = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final List<CloseStatus> closes = new ArrayList<>();
    private final ArrayDeque<Consumer<@Nullable Throwable>> pending = new ArrayDeque<>();
    private int outstanding;
    private boolean overlapped;
    private boolean writtenAfterClose;
    private boolean closedDuringWrite;
    private int inWrite;
    private volatile boolean open = true;
    private volatile @Nullable Runnable duringWrite;
    private volatile @Nullable Runnable onClose;

    private TestFrameSink(Mode mode, @Nullable Executor executor) {
        this.mode = mode;
        this.executor = executor;
    }

    static TestFrameSink manual() {
        return new TestFrameSink(Mode.MANUAL, null);
    }

    static TestFrameSink immediate() {
        return new TestFrameSink(Mode.IMMEDIATE, null);
    }

    static TestFrameSink async(Executor executor) {
        return new TestFrameSink(Mode.ASYNC, executor);
    }

    /** From now on, complete writes during the call. */
    void completeImmediately() {
        mode = Mode.IMMEDIATE;
    }

    /** Runs {@code action} inside every following {@link #write}, before it completes or returns. */
    void duringWrite(Runnable action) {
        duringWrite = action;
    }

    /** Runs {@code action} inside {@link #close}, before the close is recorded. */
    void onClose(Runnable action) {
        onClose = action;
    }

    /** The socket closes under the queue's feet (the client went away). */
    void peerClosed() {
        open = false;
    }

    /** What {@link #written()} and {@link #events()} show for a ping. */
    static final String PING = "<ping>";

    /** A ping, recorded and completed as a write of {@link #PING} (the one-writer rule covers both). */
    @Override
    public void ping(Consumer<@Nullable Throwable> done) {
        record(PING, done);
    }

    @Override
    public void write(Outgoing frame, Consumer<@Nullable Throwable> done) {
        synchronized (this) {
            frames.add(frame);
        }
        record(frame.text(), done);
    }

    private void record(String text, Consumer<@Nullable Throwable> done) {
        synchronized (this) {
            written.add(text);
            events.add("write " + text);
            outstanding++;
            overlapped |= outstanding > 1;
            writtenAfterClose |= !closes.isEmpty();
            inWrite++;
            if (mode == Mode.MANUAL) {
                pending.add(done);
            }
        }
        try {
            Runnable action = duringWrite;
            if (action != null) {
                action.run();
            }
            if (mode == Mode.IMMEDIATE) {
                finished(done, null);
            }
            else if (mode == Mode.ASYNC) {
                executor.execute(() -> finished(done, null));
            }
        }
        finally {
            synchronized (this) {
                inWrite--;
            }
        }
    }

    /** Completes the oldest pending write successfully; returns false if none is pending. */
    boolean complete() {
        return completeWith(null);
    }

    /** Fails the oldest pending write. */
    boolean fail(Throwable failure) {
        return completeWith(failure);
    }

    private boolean completeWith(@Nullable Throwable failure) {
        Consumer<@Nullable Throwable> done;
        synchronized (this) {
            done = pending.poll();
        }
        if (done == null) {
            return false;
        }
        finished(done, failure);
        return true;
    }

    private void finished(Consumer<@Nullable Throwable> done, @Nullable Throwable failure) {
        synchronized (this) {
            outstanding--;
        }
        done.accept(failure);
    }

    @Override
    public void close(CloseStatus status) {
        Runnable action = onClose;
        if (action != null) {
            action.run();
        }
        synchronized (this) {
            closedDuringWrite |= inWrite > 0;
            closes.add(status);
            events.add("close " + status.getCode());
        }
        open = false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    synchronized List<String> written() {
        return List.copyOf(written);
    }

    /** The frames (not pings) handed to {@link #write}, in order: the very objects, for identity checks. */
    synchronized List<Outgoing> frames() {
        return List.copyOf(frames);
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    synchronized List<CloseStatus> closes() {
        return List.copyOf(closes);
    }

    /** Writes started and not yet completed, in any mode. */
    synchronized int outstanding() {
        return outstanding;
    }

    synchronized int pendingWrites() {
        return pending.size();
    }

    /** Whether a write ever started while another was outstanding. */
    synchronized boolean overlapped() {
        return overlapped;
    }

    /** Whether the socket was closed while a frame was being handed to it (inside {@link #write}). */
    synchronized boolean closedDuringWrite() {
        return closedDuringWrite;
    }

    synchronized boolean writtenAfterClose() {
        return writtenAfterClose;
    }

    @Override
    public String toString() {
        return "test sink";
    }
}
