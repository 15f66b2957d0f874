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

    private final ConfigurableApplicationContext context;

    private ParleyNode(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** Starts a node with these properties on top of the defaults (server.port=0 unless given). */
    public static ParleyNode start(Map<String, String> properties) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("server.port", "0");
        all.put("logging.level.root", "WARN");
        all.put("logging.level.io.parley", "INFO");
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
