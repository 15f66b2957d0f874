package io.parley.server.connection;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The frames of one {@link OutboundQueue} waiting behind its write in progress, with their UTF-8
 * byte count (also added to the node's total in {@link OutboundStats}), and the two ways of shedding
 * them: {@link #dropOldest} ({@code DROP}) and {@link #resync} ({@code RESYNC}). Only room messages
 * and state frames are ever shed, and state frames only by {@link #replaceStates}: the buffered
 * state frames of a room make way for one current snapshot.
 *
 * <p>Not thread-safe: guarded by the owning queue's lock.
 */
final class OutboundBuffer {

    private final OutboundStats stats;
    private final QueueContext node;
    private final ArrayDeque<Object> frames = new ArrayDeque<>(); // Outgoing or PendingGap
    private @Nullable Map<String, PendingGap> pendingGaps; // by room; created by the first resync
    private long bytes;
    private int messages; // room messages in frames
    private int states; // state frames in frames

    OutboundBuffer(QueueContext node) {
        this.node = node;
        this.stats = node.stats();
    }

    /** Appends {@code frame}; returns the node's buffered bytes after it. */
    long add(Outgoing frame) {
        frames.addLast(frame);
        count(frame, 1);
        return account(frame.bytes());
    }

    /** Removes the oldest frame and returns it (a gap as a control frame), or {@code null} if the buffer is empty. */
    @Nullable Outgoing poll() {
        Object frame = frames.pollFirst();
        if (frame == null) {
            return null;
        }
        if (frame instanceof Outgoing outgoing) {
            count(outgoing, -1);
            account(-outgoing.bytes());
            return outgoing;
        }
        PendingGap gap = (PendingGap) frame;
        Objects.requireNonNull(pendingGaps).remove(gap.room);
        account(-gap.bytes);
        return Outgoing.control(gap.text);
    }

    long bytes() {
        return bytes;
    }

    int size() {
        return frames.size();
    }

    /** Releases every frame. */
    void clear() {
        frames.clear();
        if (pendingGaps != null) {
            pendingGaps.clear();
        }
        messages = 0;
        states = 0;
        account(-bytes);
    }

    /**
     * Drops room messages, oldest first, until at least {@code atLeast} bytes are freed or none is
     * left; if that is not enough, replaces state frames by snapshots ({@link #replaceStates}).
     *
     * @return the number of messages dropped
     */
    int dropOldest(long atLeast) {
        long freed = 0;
        int dropped = 0;
        for (Iterator<Object> it = frames.iterator(); it.hasNext() && freed < atLeast && messages > 0;) {
            if (it.next() instanceof Outgoing outgoing && outgoing.isRoomMessage()) {
                it.remove();
                messages--;
                freed += outgoing.bytes();
                dropped++;
            }
        }
        account(-freed);
        stats.dropped(dropped);
        if (freed < atLeast) {
            replaceStates();
        }
        return dropped;
    }

    /**
     * Drops every room message and puts, in place of the first dropped message of each room, one
     * {@code gap} frame naming the dropped range — or widens the room's gap that is still waiting,
     * which keeps its place. Then replaces state frames by snapshots ({@link #replaceStates}).
     *
     * @return the number of messages dropped
     */
    int resync() {
        int dropped = dropMessagesForGaps();
        replaceStates();
        return dropped;
    }

    private int dropMessagesForGaps() {
        if (messages == 0) {
            return 0;
        }
        Map<String, PendingGap> gaps = pendingGaps;
        if (gaps == null) {
            gaps = new HashMap<>();
            pendingGaps = gaps;
        }
        Map<String, PendingGap> touched = new HashMap<>();
        long freed = 0;
        int dropped = 0;
        for (int i = frames.size(); i > 0; i--) { // one rotation keeps the order
            Object frame = frames.pollFirst();
            if (frame instanceof Outgoing outgoing && outgoing.isRoomMessage()) {
                String room = Objects.requireNonNull(outgoing.room());
                PendingGap gap = gaps.get(room);
                if (gap == null) {
                    gap = new PendingGap(room, outgoing.seq());
                    gaps.put(room, gap);
                    frames.addLast(gap);
                    stats.gapQueued();
                }
                else {
                    gap.include(outgoing.seq());
                }
                touched.put(room, gap);
                freed += outgoing.bytes();
                dropped++;
            }
            else {
                frames.addLast(frame);
            }
        }
        messages = 0;
        long encoded = 0;
        for (PendingGap gap : touched.values()) {
            int before = gap.bytes;
            gap.encode(node.encodeGap(gap.room, gap.from, gap.to));
            encoded += gap.bytes - before;
        }
        account(encoded - freed);
        stats.dropped(dropped);
        return dropped;
    }

    /**
     * For each room whose buffered state frames together take more bytes than the room's current
     * snapshot, removes them and puts that snapshot (from the newest frame's {@link StateSource}) at
     * the place of the newest: the client's state ends up as it would have, sooner, and the buffer
     * only shrinks. The newest's place, not the oldest's, so that a snapshot never moves ahead of a
     * {@code left} or {@code joined} of its room that was queued between them. Rooms whose frames
     * weigh less than a snapshot keep them: a room's state frames never take more than about twice
     * its snapshot.
     *
     * @return the number of state frames removed
     */
    int replaceStates() {
        if (states == 0) {
            return 0;
        }
        Map<String, StateRun> runs = new HashMap<>();
        for (Object frame : frames) {
            if (frame instanceof Outgoing outgoing && outgoing.isState()) {
                runs.computeIfAbsent(Objects.requireNonNull(outgoing.room()), room -> new StateRun()).add(outgoing);
            }
        }
        boolean any = false;
        for (StateRun run : runs.values()) {
            Outgoing snapshot = Objects.requireNonNull(run.newest).source().snapshot();
            if (run.bytes > snapshot.bytes()) {
                run.snapshot = snapshot;
                any = true;
            }
        }
        if (!any) {
            return 0;
        }
        long delta = 0;
        int removed = 0;
        int queued = 0;
        for (int i = frames.size(); i > 0; i--) { // one rotation keeps the order
            Object frame = frames.pollFirst();
            StateRun run = frame instanceof Outgoing outgoing && outgoing.isState() ? runs.get(outgoing.room()) : null;
            if (run == null || run.snapshot == null) {
                frames.addLast(frame);
                continue;
            }
            Outgoing shed = (Outgoing) frame;
            delta -= shed.bytes();
            removed++;
            if (++run.seen == run.count) { // the newest of its room
                frames.addLast(run.snapshot);
                delta += run.snapshot.bytes();
                queued++;
            }
        }
        states += queued - removed;
        account(delta);
        stats.statesReplaced(removed, queued);
        return removed;
    }

    private void count(Outgoing frame, int sign) {
        if (frame.isRoomMessage()) {
            messages += sign;
        } else if (frame.isState()) {
            states += sign;
        }
    }

    /** Adds {@code delta} to this buffer's and the node's bytes; returns the node's total. */
    private long account(long delta) {
        if (delta == 0) {
            return stats.bufferedBytes();
        }
        bytes += delta;
        return stats.addBuffered(delta);
    }

    @Override
    public String toString() {
        return frames.size() + " frames, " + bytes + " B" + (pendingGaps == null || pendingGaps.isEmpty() ? ""
                : ", gaps " + pendingGaps.values());
    }

    /** The buffered state frames of one room, while {@link #replaceStates} runs. */
    private static final class StateRun {

        int count;
        long bytes;
        @Nullable Outgoing newest;
        @Nullable Outgoing snapshot;
        int seen;

        void add(Outgoing frame) {
            count++;
            bytes += frame.bytes();
            newest = frame;
        }
    }

    /** A gap frame waiting in the buffer; widened while it waits. */
    private static final class PendingGap {

        final String room;
        long from;
        long to;
        String text = "";
        int bytes;

        PendingGap(String room, long seq) {
            this.room = room;
            this.from = seq;
            this.to = seq;
        }

        void include(long seq) {
            from = Math.min(from, seq);
            to = Math.max(to, seq);
        }

        void encode(String json) {
            text = json;
            bytes = Outgoing.utf8Length(json);
        }

        @Override
        public String toString() {
            return room + "#" + from + ".." + to;
        }
    }
}
