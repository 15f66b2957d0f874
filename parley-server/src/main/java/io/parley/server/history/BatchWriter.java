package io.parley.server.history;

import java.util.List;

/**
 * Commits one batch of appends in one transaction: all of them or none. The seam between the
 * committer threads and the store; {@link JdbcBatchWriter} is the store.
 */
interface BatchWriter {

    /**
     * Commits {@code batch} and returns one outcome per request, in the same order: a new message
     * with the room's next sequence, or the original of a retry ({@code duplicate = true}). Called
     * by one committer thread at a time per room; may be called by several committers at once for
     * different rooms. Throws when nothing was committed (or when it cannot tell).
     */
    List<Appended> write(List<AppendRequest> batch);
}
