package io.parley.server.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.parley.server.ParleyApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One Parley node started in this JVM on a free port: a full application context, as {@code java
 * -jar} would start it. Several may run at once; each is closed by {@link #close()}.
 */
public final class ParleyNode implements AutoCloseable {

    /**
     * Properties every test node gets before its own: the abuse limits raised, since test suites log in
     * hundreds of users from 127.0.0.1 and send faster than a person; the tests of those limits set
     * them back. The per-connection frame rate stays at its default unless a test raises it.
     */
    public static final Map<String, String> TEST_DEFAULTS = Map.of(
            "parley.login.attempts", "1000000",
            "parley.login.burst", "1000000",
            "parley.chat.send-rate", "1000000",
            "parley.chat.send-burst", "1000000");

    private final ConfigurableApplicationContext context;

    private ParleyNode(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** Starts a node with these properties on top of the defaults (server.port=0 unless given, and {@link #TEST_DEFAULTS}). */
    public static ParleyNode start(Map<String, String> properties) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("server.port", "0");
        all.put("logging.level.root", "WARN");
        all.put("logging.level.io.parley", "INFO");
        all.putAll(TEST_DEFAULTS);
        // A test that closes a node with sockets still open waits for its drain: keep it short (10 s in production).
        all.put("parley.drain.window", "1s");
        all.putAll(properties);
        List<String> args = new ArrayList<>();
        all.forEach((key, value) -> args.add("--" + key + "=" + value));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ParleyApplication.class)
                .run(args.toArray(String[]::new));
        return new ParleyNode(context);
    }

    public int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public String wsUrl() {
        return "ws://127.0.0.1:" + port() + "/ws";
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public boolean isRunning() {
        return context.isRunning();
    }

    @Override
    public void close() {
        context.close();
    }
}
