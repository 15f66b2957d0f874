package io.parley.server.cluster.redis;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.protocol.ServerFrame;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BusMetricsTests {

    @Test
    void eachPublishCountsOnceUnderItsKindOnCountersBoundAtConstruction() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BusMetrics metrics = new BusMetrics(registry);
        int registeredAtStart = registry.getMeters().size();

        for (int i = 0; i < 1000; i++) {
            metrics.published(new ServerFrame.Typing("r", "alice"));
        }
        metrics.published(new ServerFrame.PresenceDelta("r", List.of("a"), List.of()));
        metrics.publishedToNode();

        assertThat(registry.getMeters()).hasSize(registeredAtStart);
        assertThat(published(registry, "typing")).isEqualTo(1000);
        assertThat(published(registry, "presence")).isEqualTo(1);
        assertThat(published(registry, "node")).isEqualTo(1);
        assertThat(published(registry, "message")).isZero();
    }

    private static double published(MeterRegistry registry, String kind) {
        return registry.get("parley.bus.published").tag("kind", kind).counter().count();
    }
}
