package io.parley.server.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.parley.protocol.CloseCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * The graceful drain of a stopping node (SIGTERM, or any close of the application context): its
 * clients are handed to the other nodes, spread over time, with no request left half-done.
 * <ol>
 * <li><b>At once:</b> readiness goes to {@code REFUSING_TRAFFIC} ({@code /actuator/health/readiness}
 * answers 503; Spring Boot does it as the context closes, and the drain makes sure), so the load
 * balancer takes the node out at its next health check; and every new handshake gets 503 with
 * {@code Retry-After: 1} ({@link Admission.Refusal#DRAINING}).</li>
 * <li><b>Over {@code parley.drain.window}:</b> the open connections are closed with 1012 in
 * {@code parley.drain.batches} batches, batch {@code k} of {@code n} at {@code k/n} of the window,
 * each an even share of what is left, so their clients come back to the other nodes spread over the
 * window instead of all at once. A connection chosen for closing first stops taking sends (a
 * {@code send} that arrives then is answered with error {@code unavailable}: nothing stored, send it
 * again after reconnecting); once every send it took has been answered ({@code sent} or an error),
 * or {@code parley.drain.grace} has passed, it writes what is queued and closes ({@link
 * Connection#closeAfterFlush}). So a send is either committed and acknowledged before the close, or
 * refused — never half-done.</li>
 * <li><b>At {@code window + grace}</b> at the latest, whatever is still open is closed at once with
 * 1012.</li>
 * </ol>
 * Then the later phases stop: the web server, then the message log and {@code NodeHeartbeat}, which
 * withdraws the node from the cluster registry at once. An empty node drains in no time.
 *
 * <p>A {@link SmartLifecycle} in the last phase ({@link SmartLifecycle#DEFAULT_PHASE}): it stops
 * first, before the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}), which would stop
 * accepting connections and readiness probes, and well before the message log and the registry
 * ({@code DEFAULT_PHASE - 4096}) that the last sends and closes need. Its stop runs on a thread of
 * its own ({@code parley-drain}); Spring waits for it up to {@code
 * spring.lifecycle.timeout-per-shutdown-phase}, which must exceed {@code window + grace}: the
 * constructor refuses to start otherwise, rather than let a drain be cut short.
 *
 * <p>Thread-safe. The lifecycle processor calls {@link #stop(Runnable)} once; batches are closed by
 * the drain thread, and a connection's close may run on the thread that answers its last send.
 */
@Component
public class Drain implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Drain.class);

    /** The close status of a drained connection: reconnect at once, with jitter. */
    static final CloseStatus DRAINED = new CloseStatus(CloseCodes.SERVICE_RESTART, "node draining; reconnect");

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** How long the drain waits, at most, for the closes it began to be carried out. */
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final Connections connections;
    private final Admission admission;
    private final DrainProperties properties;
    private final ApplicationEventPublisher events;
    private final ObjectProvider<ApplicationAvailability> availability;
    private final AtomicBoolean running = new AtomicBoolean();

    public Drain(Connections connections, Admission admission, DrainProperties properties, ApplicationEventPublisher events,
            ObjectProvider<ApplicationAvailability> availability, Environment environment) {
        this.connections = connections;
        this.admission = admission;
        this.properties = properties;
        this.events = events;
        this.availability = availability;
        Duration phaseTimeout = Binder.get(environment).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                .orElse(Duration.ofSeconds(30));
        if (properties.bound().compareTo(phaseTimeout) >= 0) {
            throw new IllegalStateException("parley.drain.window (" + properties.window() + ") + parley.drain.grace ("
                    + properties.grace() + ") must be less than spring.lifecycle.timeout-per-shutdown-phase (" + phaseTimeout
                    + "), or Spring cuts the drain short; raise the timeout or shorten the drain");
        }
    }

    @Override
    public void start() {
        running.set(true);
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }

    @Override
    public int getPhase() {
        return DEFAULT_PHASE;
    }

    /** A paused context keeps its connections: only a stop drains. */
    @Override
    public boolean isPauseable() {
        return false;
    }

    @Override
    public void stop() {
        if (running.compareAndSet(true, false)) {
            long began = System.nanoTime();
            refuseTraffic();
            drain(began);
        }
    }

    @Override
    public void stop(Runnable callback) {
        if (!running.compareAndSet(true, false)) {
            callback.run();
            return;
        }
        long began = System.nanoTime();
        refuseTraffic();
        Thread thread = new Thread(() -> {
            try {
                drain(began);
            } catch (RuntimeException e) {
                log.error("Drain failed; closing the connections left at once", e);
                connections.all().forEach(connection -> connection.close(DRAINED));
            } finally {
                callback.run();
            }
        }, "parley-drain");
        thread.setDaemon(true);
        thread.start();
    }

    /** Readiness down, handshakes refused: the node takes no new client from now on. */
    private void refuseTraffic() {
        admission.startDraining();
        ApplicationAvailability current = availability.getIfAvailable();
        if (current == null || current.getReadinessState() != ReadinessState.REFUSING_TRAFFIC) {
            AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        }
    }

    private void drain(long began) {
        if (connections.inUse() == 0) {
            log.info("Node draining: no connection to hand over");
            return;
        }
        log.info("Node draining: readiness is down and handshakes get 503; closing {} connections with 1012 in {} batches "
                + "over {}, the last ones within {} more", connections.count(), properties.batches(), properties.window(),
                properties.grace());
        long deadline = began + properties.bound().toNanos();
        Set<String> chosen = new HashSet<>();
        AtomicInteger unanswered = new AtomicInteger();
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        for (int k = 1; k <= properties.batches(); k++) {
            parkUntil(began + properties.batchAt(k).toNanos());
            List<Connection> left = connections.all().stream().filter(c -> !chosen.contains(c.id())).toList();
            if (left.isEmpty() && connections.inUse() == 0) {
                break; // every client left by itself
            }
            int size = properties.batchSize(k, left.size());
            for (Connection connection : left.subList(0, size)) {
                chosen.add(connection.id());
                closes.add(close(connection, deadline, unanswered));
            }
        }
        while (connections.inUse() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(POLL_NANOS);
        }
        Collection<Connection> late = connections.all();
        for (Connection connection : late) {
            chosen.add(connection.id());
            connection.close(DRAINED);
        }
        awaitCloses(closes);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        log.info("Node drained in {} ms: {} connections closed with 1012", tookMillis, chosen.size());
        if (unanswered.get() > 0) {
            log.warn("{} connections were closed before the sends they took were answered (parley.drain.grace {}): "
                    + "their clients resend them with the same clientMsgId, and get the stored sequence if one was stored",
                    unanswered.get(), properties.grace());
        }
        if (!late.isEmpty()) {
            log.warn("{} connections had not finished closing {} after the drain began and were closed at once; "
                    + "what was still queued for them is replayed when they resume", late.size(), properties.bound());
        }
    }

    /**
     * Quiesces {@code connection}, then closes it after its queue is written, waiting at most grace
     * for its sends; the stage returned completes once that close has been carried out.
     */
    private CompletableFuture<Void> close(Connection connection, long deadline, AtomicInteger unanswered) {
        long wait = Math.max(0, Math.min(properties.grace().toNanos(), deadline - System.nanoTime()));
        CompletableFuture<Void> answered = new CompletableFuture<>();
        connection.quiesce().whenComplete((done, failure) -> answered.complete(null));
        return answered.orTimeout(wait, TimeUnit.NANOSECONDS).handle((done, timeout) -> {
            if (timeout != null) {
                unanswered.incrementAndGet();
            }
            connection.closeAfterFlush(DRAINED);
            return null;
        });
    }

    /**
     * Waits for the closes begun by {@link #close}: the last ones time out at the deadline, on the
     * timer's thread, just as the late connections are closed here, and a close found already begun
     * returns before that thread has closed the socket. Bounded: a close is a few calls.
     */
    private static void awaitCloses(List<CompletableFuture<Void>> closes) {
        try {
            CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Some drained connections had not finished closing within {} s: {}", CLOSE_WAIT_SECONDS, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void parkUntil(long nanoTime) {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
