package io.parley.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.parley.protocol.ServerFrame;
import io.parley.protocol.ServerFrame.Message;

import static io.parley.client.TestMessages.eventually;

/** A {@link ParleyClient} over a {@link FakeTransport}, recording the frames and state changes it reports. */
final class ClientFixture implements AutoCloseable {

    static final URI BASE = URI.create("http://127.0.0.1:8080");

    final FakeTransport transport = new FakeTransport();
    final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    final List<ServerFrame> frames = new CopyOnWriteArrayList<>();
    final List<StateChange> states = new CopyOnWriteArrayList<>();
    final ParleyClient client;

    ClientFixture() {
        this(builder -> {
        });
    }

    ClientFixture(Consumer<ParleyClient.Builder> customizer) {
        ParleyClient.Builder builder = ParleyClient.builder(BASE)
                .transport(transport)
                .scheduler(scheduler)
                .cookies(() -> "SESSION=s1")
                .backoff(Duration.ofMillis(1), Duration.ofMillis(10))
                .heartbeat(Duration.ZERO);
        customizer.accept(builder);
        client = builder.build().onFrame(frames::add).onStateChange(states::add);
    }

    /** Connects: the first attempt is accepted as {@code user}. */
    FakeTransport.Connection connect(String user) {
        var connected = client.connect();
        FakeTransport.Connection connection = transport.attempt(0).accept(user);
        connected.orTimeout(5, TimeUnit.SECONDS).join();
        return connection;
    }

    /** The messages of {@code room} delivered to the frame listener, in delivery order. */
    List<Long> delivered(String room) {
        return frames.stream()
                .filter(f -> f instanceof Message m && m.room().equals(room))
                .map(f -> ((Message) f).seq())
                .toList();
    }

    void awaitState(ConnectionState state) {
        eventually().until(() -> client.state() == state);
    }

    @Override
    public void close() {
        client.close();
        scheduler.shutdownNow();
    }
}
