package io.parley.client;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every client and {@link ParleyHttp} not given its own shares, created on first use: one
 * {@link HttpClient} (one selector thread for all connections; no cookie handler, as cookies are
 * kept per user by {@link ParleyHttp}) and a small daemon pool for event loops and timers. Sharing
 * them is what lets one process run thousands of clients.
 */
final class SharedResources {

    private SharedResources() {
    }

    static HttpClient httpClient() {
        return Http.CLIENT;
    }

    static ScheduledExecutorService scheduler() {
        return Scheduler.POOL;
    }

    private static final class Http {
        static final HttpClient CLIENT = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static final class Scheduler {
        private static final AtomicInteger COUNT = new AtomicInteger();
        static final ScheduledExecutorService POOL = Executors.newScheduledThreadPool(
                Math.max(2, Runtime.getRuntime().availableProcessors()), task -> {
                    Thread thread = new Thread(task, "parley-client-" + COUNT.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }
}
