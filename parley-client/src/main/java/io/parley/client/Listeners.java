package io.parley.client;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.parley.protocol.ServerFrame;

/**
 * The frame and state listeners of one client. Registration is thread-safe; notification happens
 * on the client's event loop, in order. A listener that throws is logged and the others still run.
 */
final class Listeners {

    private static final System.Logger log = System.getLogger(Listeners.class.getName());

    private final List<Consumer<ServerFrame>> frames = new CopyOnWriteArrayList<>();
    private final List<Consumer<StateChange>> states = new CopyOnWriteArrayList<>();

    void addFrameListener(Consumer<ServerFrame> listener) {
        frames.add(listener);
    }

    void addStateListener(Consumer<StateChange> listener) {
        states.add(listener);
    }

    void frame(ServerFrame frame) {
        for (Consumer<ServerFrame> listener : frames) {
            try {
                listener.accept(frame);
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "frame listener failed", e);
            }
        }
    }

    void state(StateChange change) {
        for (Consumer<StateChange> listener : states) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "state listener failed", e);
            }
        }
    }
}
