package io.parley.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs {@code suite --quick} against a real Parley node started from this build's executable jar, so
 * the load tool cannot rot: every scenario must produce its figures and they must be sane (counts
 * that add up, no negative or NaN value, the report files written). It checks no speed: this runs on
 * shared CI machines.
 */
class LoadToolQuickIT {

    private static final Path OUT = Path.of("target/bench-load-it");

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void quickSuiteProducesSaneFiguresForEveryScenario() throws Exception {
        Path jar = Path.of("../parley-server/target/parley-server-exec.jar");
        assertThat(jar).as("built by the reactor before this module").isRegularFile();

        LoadTool.run(new Options("suite", "--quick", "--out=" + OUT, "--jar=" + jar,
                "--node-jvm=-Xms256m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1", "--user-prefix=it"), System.out);

        assertThat(OUT.resolve("report.html")).isRegularFile();
        assertThat(Files.readString(OUT.resolve("report.html"))).contains("<svg").doesNotContain("http://cdn", "https://", "<script src");
        assertThat(OUT.toFile().list((dir, name) -> name.endsWith(".svg"))).hasSizeGreaterThanOrEqualTo(4);
        JsonNode report = JsonMapper.builder().build().readTree(OUT.resolve("report.json").toFile());
        List<String> names = new ArrayList<>();
        report.get("scenarios").forEach(s -> names.add(s.get("name").asString()));
        assertThat(names).containsExactly("S1", "S2", "S4-h2", "S5", "S6");
        assertNoNegativeOrNaN(report, "report");

        JsonNode idle = report.get("scenarios").get(0).get("idle");
        assertThat(idle.get("connected").asInt()).isEqualTo(200);
        assertThat(idle.get("failed").asInt()).isZero();
        assertThat(idle.get("heapPerConnectionBytes").asDouble()).isPositive();
        assertThat(idle.get("connectLatency").get("count").asLong()).isEqualTo(200);

        for (JsonNode scenario : List.of(report.get("scenarios").get(1), report.get("scenarios").get(3))) {
            assertThat(scenario.get("timeline").size()).isPositive();
            for (JsonNode step : scenario.get("steps")) {
                assertThat(step.get("messagesSent").asLong()).isPositive();
                assertThat(step.get("delivered").asLong()).isPositive().isLessThanOrEqualTo(step.get("expected").asLong());
                assertLatency(step.get("latency"), step.get("delivered").asLong());
                assertThat(step.get("generatorCpuPerFrameUs").asDouble()).isPositive();
            }
        }
        assertThat(report.get("scenarios").get(3).get("steps").size()).as("S5: without, then with slow consumers").isEqualTo(2);
        for (JsonNode step : report.get("scenarios").get(2).get("steps")) {
            assertThat(step.get("acked").asLong()).isPositive().isLessThanOrEqualTo(step.get("messagesSent").asLong());
            assertLatency(step.get("ackLatency"), step.get("acked").asLong());
        }
        JsonNode storm = report.get("scenarios").get(4).get("storm");
        assertThat(storm.get("clients").asInt()).isEqualTo(100);
        assertThat(storm.get("resumed").asInt()).as("every client back and resumed after the kill").isEqualTo(100);
        assertThat(storm.get("messagesPublished").asLong()).isPositive();
        assertThat(storm.get("messagesLogged").asLong()).as("messages in the log").isPositive()
                .isLessThanOrEqualTo(storm.get("messagesPublished").asLong());
        assertThat(storm.get("lost").asLong()).as("S6 loses nothing").isZero();
        assertThat(storm.get("allResumedSeconds").asDouble()).isPositive();
        assertLatency(storm.get("reconnectLatency"), 100);
    }

    private static void assertLatency(JsonNode latency, long count) {
        assertThat(latency.get("count").asLong()).isEqualTo(count);
        double p50 = latency.get("p50Ms").asDouble();
        assertThat(p50).isPositive();
        assertThat(latency.get("p99Ms").asDouble()).isGreaterThanOrEqualTo(p50);
        assertThat(latency.get("maxMs").asDouble()).isGreaterThanOrEqualTo(latency.get("p99Ms").asDouble());
    }

    /** Every number in the report is finite and ≥ 0 (Jackson writes NaN and infinities as strings). */
    private static void assertNoNegativeOrNaN(JsonNode node, String path) {
        if (node.isNumber()) {
            assertThat(Double.isFinite(node.asDouble())).as(path + " finite").isTrue();
            assertThat(node.asDouble()).as(path).isGreaterThanOrEqualTo(0);
        } else if (node.isString()) {
            assertThat(node.asString()).as(path).isNotIn("NaN", "Infinity", "-Infinity");
        }
        node.propertyStream().forEach(e -> assertNoNegativeOrNaN(e.getValue(), path + "." + e.getKey()));
        for (int i = 0; node.isArray() && i < node.size(); i++) {
            assertNoNegativeOrNaN(node.get(i), path + "[" + i + "]");
        }
    }
}
