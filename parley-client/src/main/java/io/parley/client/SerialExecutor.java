package io.parley.client;

import java.lang.System.Logger.Level;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: the event loop of one
 * {@link ParleyClient}. Every task happens-before the next, so state touched only from tasks needs
 * no lock. Many clients share a few pool threads this way, which is what lets the load tool run
 * thousands of clients without a thread each.
 *
 * <p>Thread-safe. A task that throws is logged and does not stop the loop. A task must not block:
 * it would hold a pool thread shared with other clients.
 */
final class SerialExecutor implements Executor {

    private static final System.Logger log = System.getLogger(SerialExecutor.class.getName());

    /** Tasks run per turn before yielding the pool thread, so one busy client cannot starve the others. */
    private static final int BATCH = 64;

    private final Executor pool;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile @Nullable Thread runner;

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    /** Whether the calling thread is running one of this executor's tasks now. */
    boolean inLoop() {
        return runner == Thread.currentThread();
    }

    private void schedule() {
        if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false);
                tasks.clear();
                log.log(Level.DEBUG, "executor shut down; dropped pending client tasks");
            }
        }
    }

    private void drain() {
        runner = Thread.currentThread();
        try {
            for (int i = 0; i < BATCH; i++) {
                Runnable task = tasks.poll();
                if (task == null) {
                    break;
                }
                try {
                    task.run();
                } catch (Throwable e) {
                    log.log(Level.ERROR, "client task failed", e);
                }
            }
        } finally {
            runner = null;
            scheduled.set(false);
        }
        schedule();
    }
}
