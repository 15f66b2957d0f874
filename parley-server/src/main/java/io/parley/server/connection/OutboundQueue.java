package io.parley.server.connection;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.parley.protocol.CloseCodes;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;

/**
 * The outbound queue of one socket: every frame for the socket goes through it. Obtained from
 * {@link OutboundQueues#open}. Keeps the guarantees of Spring's
 * {@code ConcurrentWebSocketSessionDecorator} and closes its known gaps.
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li><b>Enqueue never blocks.</b> {@link #enqueue} holds the queue's lock only for bookkeeping,
 * never while a frame is written or a socket closed; a bus or broadcast thread never waits on a
 * client.
 * <li><b>One writer, FIFO.</b> At most one write is outstanding on the socket; frames are written in
 * the order their {@code enqueue} calls took the lock.
 * <li><b>No thread is held by a slow client.</b> Writes are asynchronous ({@link FrameSink}): the next
 * frame is written when the previous write completes, on the thread that completes it. The thread
 * that finds the queue idle starts the write itself; it returns as soon as the write is handed over.
 * The decorator, by contrast, parks the flushing thread in a blocking send.
 * <li><b>Send-time limit, on time.</b> A write that has not completed within
 * {@link OutboundProperties#sendTimeLimit()} closes the socket with 4500 {@code SESSION_NOT_RELIABLE},
 * detected by the node's watchdog within one {@linkplain OutboundProperties#checkInterval() check
 * interval}, even if nothing else is ever sent. (Spring's limit "is checked only on attempts to send
 * additional messages", so one blocked send can hang forever.)
 * <li><b>Buffer limit in bytes.</b> Frames waiting behind the current write are counted in UTF-8
 * bytes; above {@link OutboundProperties#bufferLimit()} the {@link OverflowStrategy} applies. As in
 * Spring, the limit is checked only while a write is in progress: a frame for an idle socket is
 * written at once, however large.
 * <li><b>Control frames are never dropped</b> ({@link Outgoing#control}); only room messages are, and
 * under {@code RESYNC} the client learns exactly which ones through {@code gap} frames. State frames
 * (presence, {@link Outgoing#state}) are shed only by replacing a room's buffered ones with its
 * current snapshot ({@link StateSource}), so the client's state is right again.
 * <li><b>Pings take the writer's turn.</b> A WebSocket ping ({@link #ping}) is one more hand-over
 * of the one writer: never sent while a write is pending (the container's ping blocks behind a
 * pending asynchronous send, see {@link StandardFrameSink}), sent at once on an idle socket, and
 * otherwise right after the write in progress, ahead of the frames waiting behind it. The send-time
 * limit covers it as any write.
 * <li><b>A meaningful close status.</b> A close after a limit was exceeded reports 4500, whatever
 * status the caller asked for: a {@link #close} or drain that finds a write pending beyond the limit
 * is upgraded to 4500, as the decorator's {@code close} is. A queue that terminated itself ignores
 * later closes, so an ordinary close cannot hide the 4500 either.
 * <li><b>Clear first, then close.</b> On every close the buffer is released before the socket is
 * closed (the socket may be unresponsive), and nothing is taken from the queue afterwards, even by a
 * write that completes concurrently. The socket is never closed while a frame is being handed to it:
 * a close that meets a hand-over on another thread is carried out by that thread as soon as the
 * hand-over returns (it never waits for the client), so no write ever starts after the socket's
 * close.
 * </ul>
 *
 * <p>The connection handler must call {@link #close} when the socket closes (Spring's
 * {@code afterConnectionClosed}); it is idempotent. The watchdog also closes a queue whose socket is
 * no longer open, as a safety net.
 *
 * <p>Thread-safe: every public method may be called from any thread.
 */
public final class OutboundQueue {

    private static final Logger log = LoggerFactory.getLogger(OutboundQueue.class);

    /** The socket-level close status of a limit breach, as in Spring. */
    private static final CloseStatus NOT_RELIABLE = CloseStatus.SESSION_NOT_RELIABLE;

    static {
        if (NOT_RELIABLE.getCode() != CloseCodes.SESSION_NOT_RELIABLE) {
            throw new IllegalStateException("CloseCodes.SESSION_NOT_RELIABLE differs from Spring's");
        }
    }

    // The hand-over of one frame to the sink (see writeLoop and written), as bits of writeCall:
    // CALL is set under the lock when a frame is taken for writing and cleared when sink.write has returned;
    // DONE: the write completed while CALL was set (the writer carries on);
    // CLOSE: the queue closed while CALL was set (the writer closes the socket once sink.write has returned);
    // RETURNED: sink.write has returned and the write is pending (its completion carries on).
    private static final int IDLE = 0;
    private static final int CALL = 1;
    private static final int DONE = 2;
    private static final int CLOSE = 4;
    private static final int RETURNED = 8;

    private enum State { OPEN, DRAINING, CLOSED }

    /** The hand-over of a ping, told apart from every frame by identity; never enqueued or buffered. */
    private static final Outgoing PING = Outgoing.control("");

    /** {@link #pingHandedOverAt()} while the ping waits behind a write. */
    static final long PING_WAITING = Long.MIN_VALUE;

    private final FrameSink sink;
    private final QueueContext node;
    private final OutboundStats stats;
    private final long sendTimeLimitNanos;
    private final long bufferLimit;
    private final OverflowStrategy overflow;

    private final Object lock = new Object();

    // Guarded by lock. Invariant while not CLOSED: !writing implies an empty buffer.
    private final OutboundBuffer buffer;
    private boolean writing;
    private long writeStartedAt;
    private State state = State.OPEN;
    private CloseStatus drainStatus = CloseStatus.NORMAL;
    private long drainStartedAt;
    /** The frame being handed over or written (PING also while idle), for the delivery latency. */
    private Outgoing current = PING;
    private boolean pingWaiting;
    private long pingHandedAt = PING_WAITING;

    private final AtomicInteger writeCall = new AtomicInteger(IDLE);
    /** Handed from a completion to the writer thread; published by the update of {@link #writeCall}. */
    private @Nullable Throwable completionFailure;
    /** The close left to the writer (CLOSE bit); written under the lock before the bit is set. */
    private @Nullable Closing deferredClose;
    private final Consumer<@Nullable Throwable> onWritten = this::written;

    OutboundQueue(FrameSink sink, QueueContext node) {
        this.sink = sink;
        this.node = node;
        this.stats = node.stats();
        OutboundProperties properties = node.properties();
        this.sendTimeLimitNanos = properties.sendTimeLimit().toNanos();
        this.bufferLimit = properties.bufferLimit().toBytes();
        this.overflow = properties.overflow();
        this.buffer = new OutboundBuffer(node);
    }

    /**
     * Queues {@code frame} for the socket, or starts writing it if the socket is idle, and returns
     * without waiting for the client. Under {@code DROP} and {@code RESYNC} an overflow sheds room
     * messages (and replaces state frames by snapshots) and returns {@code true}.
     *
     * @return {@code false} if the queue is closed or draining, or if this frame made the queue
     * terminate the socket: the frame will not be written
     */
    public boolean enqueue(Outgoing frame) {
        Objects.requireNonNull(frame, "frame");
        Outgoing first = null;
        Closing closing = null;
        long total = 0;
        synchronized (lock) {
            if (state != State.OPEN) {
                return false;
            }
            if (!writing) {
                writing = true;
                writeStartedAt = node.now();
                writeCall.set(CALL);
                current = frame;
                first = frame;
            }
            else {
                total = buffer.add(frame);
                if (buffer.bytes() > bufferLimit) {
                    closing = overflowLocked();
                    total = stats.bufferedBytes();
                }
            }
        }
        if (first != null) {
            writeLoop(first);
            return true;
        }
        if (closing != null) {
            finish(closing);
            return false;
        }
        if (total > node.nodeBudget()) {
            node.overBudget(total);
        }
        return true;
    }

    /**
     * Sends a WebSocket ping: at once if no write is pending, on the calling thread (which the
     * container's blocking ping may hold for a moment, see {@link StandardFrameSink}); otherwise
     * right after the write in progress completes, on the thread that completes it, before any
     * frame waiting in the buffer. A ping already waiting is not doubled.
     *
     * @return {@code false} if the queue is closed or draining: no ping will be sent
     */
    public boolean ping() {
        synchronized (lock) {
            if (state != State.OPEN) {
                return false;
            }
            if (writing) {
                if (current != PING) { // a ping being handed over now answers for this one
                    pingWaiting = true;
                }
                return true;
            }
            writing = true;
            long now = node.now();
            writeStartedAt = now;
            pingHandedAt = now;
            current = PING;
            writeCall.set(CALL);
        }
        writeLoop(PING);
        return true;
    }

    /**
     * When the last {@link #ping} was handed to the socket (the queue's clock), or {@link
     * #PING_WAITING} while it waits behind a write (or if none was ever sent). A client's answer is
     * due from that moment: until then its silence is the queue's doing, covered by the send-time limit.
     */
    long pingHandedOverAt() {
        synchronized (lock) {
            return pingWaiting ? PING_WAITING : pingHandedAt;
        }
    }

    /**
     * Clears the buffer, then closes the socket with {@code status}; nothing more is written. The
     * status becomes 4500 {@code SESSION_NOT_RELIABLE} if a limit was exceeded: a write (or a
     * drain) pending for longer than the send-time limit. Idempotent: a queue closes its socket once.
     * If another thread is handing a frame to the socket at this moment, that thread closes the
     * socket right after the hand-over, so the socket may still be open when this method returns.
     */
    public void close(CloseStatus status) {
        Objects.requireNonNull(status, "status");
        Closing closing;
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            closing = closeLocked(status, node.now());
        }
        finish(closing);
    }

    /**
     * Stops accepting frames, writes what is queued, then closes the socket with {@code status} (for
     * a graceful drain, 1012 {@code SERVICE_RESTARTED}). If the queue has not been written out within
     * the send-time limit, the watchdog closes it with 4500 instead. No-op unless the queue is open.
     */
    public void closeAfterFlush(CloseStatus status) {
        Objects.requireNonNull(status, "status");
        Closing closing = null;
        synchronized (lock) {
            if (state != State.OPEN) {
                return;
            }
            long now = node.now();
            if (writing) {
                state = State.DRAINING;
                drainStatus = status;
                drainStartedAt = now;
            }
            else {
                closing = closeLocked(status, now);
            }
        }
        if (closing != null) {
            finish(closing);
        }
    }

    /** Bytes (UTF-8) waiting behind the write in progress; 0 once closed. */
    public long bufferedBytes() {
        synchronized (lock) {
            return buffer.bytes();
        }
    }

    /** Whether {@link #enqueue} still accepts frames: false once closing, draining or closed. */
    public boolean isOpen() {
        synchronized (lock) {
            return state == State.OPEN;
        }
    }

    /** The strategy applied when this queue overflows or is shed. */
    public OverflowStrategy overflowStrategy() {
        return overflow;
    }

    // ---- watchdog and node budget (called by OutboundWatchdog and NodeBudget) ----

    /**
     * The watchdog's check: closes the socket with 4500 if its write or drain is overdue, or
     * releases the queue if the socket is no longer open.
     *
     * @return how long the write in progress has been pending, in nanoseconds; 0 if none or if this
     * check closed the socket
     */
    long check(long now) {
        Closing closing = null;
        long pending = 0;
        synchronized (lock) {
            if (state == State.CLOSED) {
                return 0;
            }
            if (overdue(now)) {
                closing = closeLocked(NOT_RELIABLE, now);
            }
            else if (writing) {
                pending = now - writeStartedAt;
            }
        }
        if (closing != null) {
            finish(closing);
        }
        else if (!sink.isOpen()) {
            log.debug("Releasing the outbound queue of {}: the socket is no longer open", sink);
            close(CloseStatus.GOING_AWAY);
        }
        return pending;
    }

    /**
     * Sheds this queue for the node-wide budget, by its strategy: {@code TERMINATE} closes it,
     * {@code DROP} drops its oldest room messages until {@code excess} bytes are freed, {@code RESYNC}
     * replaces all its room messages by gaps; both replace state frames by snapshots where that frees
     * bytes (DROP only if dropping messages did not free enough).
     *
     * @return the bytes freed
     */
    long shed(long excess) {
        Closing closing = null;
        long freed;
        synchronized (lock) {
            long before = buffer.bytes();
            if (state == State.CLOSED || before == 0) {
                return 0;
            }
            switch (overflow) {
                case TERMINATE -> closing = terminateLocked(TerminationReason.NODE_BUDGET,
                        "node budget " + node.nodeBudget() + " B exceeded, " + before + " B buffered here");
                case DROP -> buffer.dropOldest(excess);
                case RESYNC -> buffer.resync();
            }
            freed = before - buffer.bytes();
        }
        if (closing != null) {
            finish(closing);
        }
        else {
            log.debug("Shed {} B from the outbound queue of {} ({}) for the node budget", freed, sink, overflow);
        }
        return freed;
    }

    // ---- writing ----

    /**
     * Writes {@code first}, then whatever is queued, for as long as the writes complete during the
     * call; called with {@code CALL} set by the lock holder that took {@code first}.
     */
    private void writeLoop(Outgoing first) {
        Outgoing frame = first;
        while (frame != null) {
            RuntimeException thrown = null;
            try {
                if (frame == PING) {
                    sink.ping(onWritten);
                }
                else {
                    sink.write(frame, onWritten);
                }
            }
            catch (RuntimeException ex) {
                thrown = ex;
            }
            int call;
            int next;
            do {
                call = writeCall.get();
                next = ((call & DONE) != 0 || thrown != null) ? IDLE : RETURNED;
            }
            while (!writeCall.compareAndSet(call, next));
            if ((call & CLOSE) != 0) {
                closeSink(Objects.requireNonNull(deferredClose));
            }
            if (next == RETURNED) {
                return; // pending: the completion carries on
            }
            // Completed (or failed) before sink.write returned: carry on here rather than recurse.
            Throwable failure = (thrown != null ? thrown : completionFailure);
            completionFailure = null;
            frame = afterWrite(failure);
        }
    }

    /** The sink's completion callback: exactly one per write, on any thread. */
    private void written(@Nullable Throwable failure) {
        completionFailure = failure;
        for (;;) {
            int call = writeCall.get();
            if ((call & CALL) != 0) {
                if (writeCall.compareAndSet(call, call | DONE)) {
                    return; // the writer is still inside sink.write and carries on
                }
            }
            else if (call == RETURNED) {
                if (writeCall.compareAndSet(RETURNED, IDLE)) {
                    completionFailure = null;
                    Outgoing next = afterWrite(failure);
                    if (next != null) {
                        writeLoop(next);
                    }
                    return;
                }
            }
            else {
                log.debug("Ignoring a second completion of one write on {}", sink);
                return;
            }
        }
    }

    /** Ends the write in progress; returns the next frame to write (the queue stays in writing state), or null. */
    private @Nullable Outgoing afterWrite(@Nullable Throwable failure) {
        Closing closing = null;
        Outgoing next = null;
        long took = -1;
        long now;
        Outgoing done;
        synchronized (lock) {
            if (state == State.CLOSED) {
                writing = false;
                current = PING;
                return null;
            }
            now = node.now();
            done = current;
            current = PING; // an idle queue keeps no frame alive (pollLocked sets the next one)
            if (failure != null) {
                writing = false;
                closing = closeLocked(CloseStatus.SERVER_ERROR, TerminationReason.WRITE_ERROR,
                        "write failed: " + failure);
            }
            else if (state == State.DRAINING && now - drainStartedAt > sendTimeLimitNanos) {
                took = now - writeStartedAt;
                writing = false;
                closing = closeLocked(drainStatus, now); // upgraded: the drain outlived the limit
            }
            else {
                took = now - writeStartedAt;
                next = pollLocked(now);
                if (next == null) {
                    writing = false;
                    if (state == State.DRAINING) {
                        closing = closeLocked(drainStatus, now);
                    }
                }
            }
        }
        if (took >= 0 && done != PING) {
            stats.written(took, done.timed() ? Math.max(0, now - done.committedAt()) : -1); // < 0: clock skew between nodes
        }
        if (closing != null) {
            finish(closing);
        }
        return next;
    }

    /** The next hand-over: a waiting ping first, then the oldest buffered frame. */
    private @Nullable Outgoing pollLocked(long now) {
        Outgoing frame;
        if (pingWaiting) {
            pingWaiting = false;
            pingHandedAt = now;
            frame = PING;
        }
        else {
            frame = buffer.poll();
            if (frame == null) {
                return null;
            }
        }
        current = frame;
        writeStartedAt = now;
        writeCall.set(CALL);
        return frame;
    }

    // ---- overflow ----

    private @Nullable Closing overflowLocked() {
        long bytes = buffer.bytes();
        switch (overflow) {
            case TERMINATE -> {
                return terminateLocked(TerminationReason.BUFFER_LIMIT,
                        "buffer " + bytes + " B exceeds the limit " + bufferLimit + " B");
            }
            case DROP -> {
                int dropped = buffer.dropOldest(bytes - bufferLimit);
                log.debug("Dropped {} room messages for {}: {}", dropped, sink, buffer);
            }
            case RESYNC -> {
                int dropped = buffer.resync();
                log.debug("Resync of {}: {} room messages replaced by gaps: {}", sink, dropped, buffer);
            }
        }
        if (buffer.bytes() > bufferLimit) {
            return terminateLocked(TerminationReason.BUFFER_LIMIT, "control frames alone (" + buffer.bytes()
                    + " B) exceed the buffer limit " + bufferLimit + " B after " + overflow);
        }
        return null;
    }

    // ---- closing ----

    private boolean overdue(long now) {
        return (writing && now - writeStartedAt > sendTimeLimitNanos)
                || (state == State.DRAINING && now - drainStartedAt > sendTimeLimitNanos);
    }

    /** A close asked for from outside: upgraded to 4500 (and counted) if a write or drain is overdue. */
    private Closing closeLocked(CloseStatus status, long now) {
        if (overdue(now)) {
            long since = writing ? writeStartedAt : drainStartedAt;
            return terminateLocked(TerminationReason.SEND_TIME_LIMIT, (writing ? "write" : "drain") + " pending for "
                    + TimeUnit.NANOSECONDS.toMillis(now - since) + " ms, limit "
                    + TimeUnit.NANOSECONDS.toMillis(sendTimeLimitNanos) + " ms"
                    + (NOT_RELIABLE.equalsCode(status) ? "" : " (close " + status.getCode() + " upgraded)"));
        }
        return closeLocked(status, null, null);
    }

    private Closing terminateLocked(TerminationReason reason, String detail) {
        return closeLocked(NOT_RELIABLE, reason, detail);
    }

    private Closing closeLocked(CloseStatus status, @Nullable TerminationReason reason, @Nullable String detail) {
        state = State.CLOSED;
        buffer.clear();
        pingWaiting = false;
        Closing closing = new Closing(status, reason, detail);
        deferredClose = closing;
        int call = writeCall.getAndUpdate(c -> (c & CALL) != 0 ? c | CLOSE : c);
        closing.deferred = (call & CALL) != 0; // a frame is being handed over: its writer closes the socket after it
        return closing;
    }

    /** Outside the lock: deregisters, counts, logs, then closes the socket unless a writer will. */
    private void finish(Closing closing) {
        node.closed(this, closing.reason);
        if (closing.reason == TerminationReason.WRITE_ERROR) {
            log.debug("Closing {} with {}: {}", sink, closing.status.getCode(), closing.detail);
        }
        else if (closing.reason != null) {
            log.warn("Closing {} with {}: {}; the client will reconnect and resume", sink,
                    closing.status.getCode(), closing.detail);
        }
        if (!closing.deferred) {
            closeSink(closing);
        }
    }

    private void closeSink(Closing closing) {
        try {
            sink.close(closing.status);
        }
        catch (RuntimeException ex) {
            log.debug("Failed to close {}", sink, ex);
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "OutboundQueue[" + sink + ", " + state + ", " + buffer + (writing ? ", writing" : "") + "]";
        }
    }

    /** A close decided under the lock, carried out after it. */
    private static final class Closing {

        final CloseStatus status;
        final @Nullable TerminationReason reason;
        final @Nullable String detail;
        /** Set under the lock: the socket is closed by the writer handing over a frame, not by {@link #finish}. */
        boolean deferred;

        Closing(CloseStatus status, @Nullable TerminationReason reason, @Nullable String detail) {
            this.status = status;
            this.reason = reason;
            this.detail = detail;
        }
    }
}
