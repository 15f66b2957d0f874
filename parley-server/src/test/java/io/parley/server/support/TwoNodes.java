package io.parley.server.support;

import java.util.HashMap;
import java.util.Map;

/**
 * Two cluster nodes on one test's slice of the real Redis and PostgreSQL ({@link ClusterServices}),
 * started in order (the first runs the migrations) and closed in reverse, then the slice.
 */
public final class TwoNodes implements AutoCloseable {

    private final ClusterServices services;
    private final ParleyNode a;
    private final ParleyNode b;

    private TwoNodes(ClusterServices services, ParleyNode a, ParleyNode b) {
        this.services = services;
        this.a = a;
        this.b = b;
    }

    /** Starts both with the cluster properties of a new slice plus {@code extra}. */
    public static TwoNodes start(Map<String, String> extra) {
        ClusterServices services = new ClusterServices();
        Map<String, String> properties = new HashMap<>(services.nodeProperties());
        properties.putAll(extra);
        ParleyNode a = null;
        try {
            a = ParleyNode.start(properties);
            return new TwoNodes(services, a, ParleyNode.start(properties));
        } catch (RuntimeException e) {
            if (a != null) {
                a.close();
            }
            services.close();
            throw e;
        }
    }

    public ClusterServices services() {
        return services;
    }

    public ParleyNode a() {
        return a;
    }

    public ParleyNode b() {
        return b;
    }

    @Override
    public void close() {
        b.close();
        a.close();
        services.close();
    }
}
