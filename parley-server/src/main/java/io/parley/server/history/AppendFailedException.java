package io.parley.server.history;

import org.jspecify.annotations.Nullable;

/**
 * Why an {@link MessageLog#append append} future completed exceptionally. The message was not
 * acknowledged and must not be delivered; every reason is safe to retry with the same
 * {@code clientMsgId}, which never creates a second message.
 */
public class AppendFailedException extends RuntimeException {

    /** The failure catalogue. */
    public enum Reason {
        /** The room's committer queue is full: the log is overloaded. Retry later. */
        QUEUE_FULL,
        /**
         * The batch's transaction failed (database unreachable, timeout). Nothing of the batch is
         * acknowledged. In the rare case the commit reached the database but its reply was lost, the
         * message exists; a retry finds it and answers with its original sequence.
         */
        STORE_FAILED,
        /** The log is not running (not started yet, or shutting down). Retry on another node. */
        CLOSED
    }

    private final Reason reason;

    public AppendFailedException(Reason reason, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
