package io.parley.server.chat;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.parley.server.cluster.ClusterProperties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Every {@code parley.cluster.room-check-interval} (default 5 s), compares each room with a local
 * subscriber with the log and delivers what this node missed ({@link RoomHub#catchUp}). It catches
 * the losses nothing else reveals: the last messages before a quiet spell, lost by the bus, or a node
 * whose subscription silently stopped delivering. Cost: one indexed read of the room's head per local
 * room per interval. It also has every local room's online set read again
 * ({@link RoomHub#refreshPresence}), so that a presence notice lost by the bus leaves a stale list
 * for one interval at most: one more read (Redis {@code HKEYS}) per local room per interval. Runs on its own thread; a failing log (database down) is logged once per outage.
 * Stops in the phase after the connections' {@code Drain}: the rooms are checked while it drains.
 */
@Component
class RoomHeadCheck implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RoomHeadCheck.class);

    private final RoomHub hub;
    private final ClusterProperties properties;
    private @Nullable ScheduledExecutorService scheduler;
    private boolean failing;

    RoomHeadCheck(RoomHub hub, ClusterProperties properties) {
        this.hub = hub;
        this.properties = properties;
    }

    @Override
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "parley-room-check");
            thread.setDaemon(true);
            return thread;
        });
        long interval = properties.roomCheckInterval().toMillis();
        executor.scheduleWithFixedDelay(this::check, interval, interval, TimeUnit.MILLISECONDS);
        scheduler = executor;
    }

    void check() {
        hub.refreshPresence();
        int failed = hub.catchUpAll();
        if (failed > 0 && !failing) {
            log.warn("{} rooms could not be checked against the message log; retrying every {}", failed, properties.roomCheckInterval());
        } else if (failed == 0 && failing) {
            log.info("Rooms are checked against the message log again");
        }
        failing = failed > 0;
    }

    @Override
    public synchronized void stop() {
        ScheduledExecutorService executor = scheduler;
        scheduler = null;
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Override
    public int getPhase() {
        return DEFAULT_PHASE - 1;
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
