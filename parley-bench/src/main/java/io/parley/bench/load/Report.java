package io.parley.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The results of a run: {@code report.json} (every figure), {@code report.html} (tables and inline
 * SVG charts, viewable offline) and each chart as an SVG file. Built by the run's thread.
 */
final class Report {

    /** One scenario against one server: a ladder's steps, or S1's idle figures, and its timeline. */
    record Scenario(String name, String target, List<String> nodes, List<FanOut.Step> steps, IdleCapacity.@Nullable Result idle,
            ReconnectStorm.@Nullable Result storm, List<Monitor.Sample> timeline) {}

    private final Map<String, Object> machine = new LinkedHashMap<>();
    private final List<String> args;
    private final String startedAt = Instant.now().toString();
    private final List<Scenario> scenarios = new ArrayList<>();

    Report(List<String> args) {
        this.args = args;
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("loadAverageAtStart", loadAverage());
        machine.put("generatorJava", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("generatorJvmOptions", ManagementFactory.getRuntimeMXBean().getInputArguments());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    }

    void add(Scenario scenario) {
        scenarios.add(scenario);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    void write(Path dir) {
        machine.put("loadAverageAtEnd", loadAverage());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tool", "parley-bench load");
        json.put("startedAt", startedAt);
        json.put("args", args);
        json.put("machine", machine);
        json.put("scenarios", scenarios);
        try {
            Files.createDirectories(dir);
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValue(dir.resolve("report.json").toFile(), json);
            StringBuilder html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>parley-bench report</title><style>"
                    + "body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;font-size:13px}"
                    + "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#f4f4f4}</style></head><body>\n");
            html.append("<h1>parley-bench</h1><p>").append(SvgChart.escape(startedAt)).append(" &middot; <code>")
                    .append(SvgChart.escape(String.join(" ", args))).append("</code></p><p>");
            machine.forEach((k, v) -> html.append(SvgChart.escape(k + ": " + v)).append("<br>"));
            html.append("</p>\n");
            for (int i = 0; i < scenarios.size(); i++) {
                section(html, scenarios.get(i), dir, i);
            }
            Files.writeString(dir.resolve("report.html"), html.append("</body></html>\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void section(StringBuilder html, Scenario s, Path dir, int index) throws IOException {
        html.append("<h2>").append(SvgChart.escape(s.name() + " — " + s.target())).append("</h2><p>nodes: ")
                .append(SvgChart.escape(String.join(", ", s.nodes()))).append("</p>\n");
        String base = String.format(Locale.ROOT, "%02d-%s-%s", index + 1, s.name().toLowerCase(Locale.ROOT), s.target().toLowerCase(Locale.ROOT));
        List<String> charts = new ArrayList<>();
        if (s.idle() != null) {
            IdleCapacity.Result r = s.idle();
            html.append("<table><tr><th>requested</th><th>connected</th><th>failed</th><th>ramp s</th><th>connect p50 ms</th><th>p99 ms</th><th>max ms</th>"
                    + "<th>RSS/conn KB</th><th>heap/conn KB</th><th>RSS/conn with sessions KB</th><th>FDs/conn</th></tr>");
            html.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%d</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.2f</td></tr></table>%n",
                    r.requested(), r.connected(), r.failed(), r.connectSeconds(), r.connectLatency().p50Ms(), r.connectLatency().p99Ms(),
                    r.connectLatency().maxMs(), r.rssPerConnectionBytes() / 1024, r.heapPerConnectionBytes() / 1024,
                    r.rssPerConnectionWithSessionsBytes() / 1024, r.fdsPerConnection()));
            List<SvgChart.Series> connectCurves = new ArrayList<>(List.of(new SvgChart.Series(r.cluster() == null ? "connect" : "all nodes",
                    r.connectLatency().percentileCurve())));
            if (r.cluster() != null) {
                cluster(html, r);
                r.cluster().nodes().forEach(n -> connectCurves.add(new SvgChart.Series(n.node(), n.connectLatency().percentileCurve())));
            }
            charts.add(chart(dir, base + "-connect-latency", SvgChart.line("Connect latency distribution", "percentile", "ms",
                    connectCurves, true)));
        }
        if (s.storm() != null) {
            ReconnectStorm.Result r = s.storm();
            html.append("<table><tr><th>clients</th><th>back</th><th>resumed</th><th>all back s</th><th>all resumed s</th>"
                    + "<th>messages published</th><th>in the log</th><th>not sent</th><th>lost</th><th>duplicates dropped</th><th>refused</th><th>failed tries</th>"
                    + "<th>closed again</th><th>publisher reconnects</th><th>reconnect p50 ms</th><th>p99 ms</th></tr>");
            html.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%d</td><td>%.2f</td><td>%.2f</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td>"
                    + "<td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%.1f</td><td>%.1f</td></tr></table>%n",
                    r.clients(), r.reconnected(), r.resumed(), r.allBackSeconds(), r.allResumedSeconds(), r.messagesPublished(), r.messagesLogged(),
                    r.publisherUnsent(), r.lost(), r.duplicates(), r.refused(), r.failedAttempts(), r.closedAgain(), r.publisherReconnects(),
                    r.reconnectLatency().p50Ms(), r.reconnectLatency().p99Ms()));
        }
        if (!s.steps().isEmpty()) {
            html.append("<table><tr><th>step</th><th>target/s</th><th>msgs/s</th><th>delivered/s</th><th>acked/s</th><th>p50</th><th>p90</th><th>p99</th>"
                    + "<th>p99.9</th><th>max ms</th><th>ack p50</th><th>ack p99</th><th>lag p99</th><th>server µs/delivery</th>"
                    + "<th>gen µs/frame</th><th>gen cores</th><th>GCs</th><th>GC ms</th><th>RSS MB</th><th>verdict</th></tr>\n");
            List<SvgChart.Series> curves = new ArrayList<>();
            for (FanOut.Step t : s.steps()) {
                html.append(String.format(Locale.ROOT,
                        "<tr><td>%s</td><td>%d</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td>"
                                + "<td>%.2f</td><td>%.2f</td><td>%.1f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%d</td><td>%.1f</td><td>%d</td><td>%s</td></tr>%n",
                        SvgChart.escape(t.label()), t.targetRate(), t.messagesPerSecond(), t.deliveriesPerSecond(), t.ackedPerSecond(),
                        t.latency().p50Ms(), t.latency().p90Ms(), t.latency().p99Ms(), t.latency().p999Ms(), t.latency().maxMs(),
                        t.ackLatency().p50Ms(), t.ackLatency().p99Ms(), t.publisherLagP99Ms(), t.serverCpuPerDeliveryUs(),
                        t.generatorCpuPerFrameUs(), t.generatorCpuCores(), t.gcCount(), t.gcMillis(), t.serverRssBytes() >> 20,
                        SvgChart.escape(t.verdict())));
                Latency curve = t.acked() > 0 && t.latency().count() == 0 ? t.ackLatency() : t.latency();
                curves.add(new SvgChart.Series(t.label(), curve.percentileCurve()));
            }
            html.append("</table>\n");
            charts.add(chart(dir, base + "-percentiles", SvgChart.line("Latency by percentile, per step", "percentile", "ms", curves, true)));
            charts.add(chart(dir, base + "-latency", SvgChart.line("Delivery latency over time (each second)", "s", "ms", List.of(
                    timeSeries(s, "p50", Monitor.Sample::p50Ms), timeSeries(s, "p99", Monitor.Sample::p99Ms), timeSeries(s, "max", Monitor.Sample::maxMs)), false)));
            charts.add(chart(dir, base + "-rate", SvgChart.line("Deliveries per second", "s", "deliveries/s",
                    List.of(timeSeries(s, "deliveries/s", x -> x.deliveries())), false)));
            charts.add(chart(dir, base + "-cpu", SvgChart.line("CPU (cores)", "s", "cores", List.of(
                    timeSeries(s, "server", Monitor.Sample::serverCpuCores), timeSeries(s, "generator", Monitor.Sample::generatorCpuCores)), false)));
        }
        charts.add(chart(dir, base + "-connections", SvgChart.line("Connections over time", "s", "open connections",
                List.of(timeSeries(s, "connections", x -> x.connections())), false)));
        charts.forEach(svg -> html.append(svg).append('\n'));
    }

    /** A cluster S1: one row per node, then the total (the sums of the table above). */
    private static void cluster(StringBuilder html, IdleCapacity.Result r) {
        IdleCapacity.Cluster c = r.cluster();
        html.append("<p>Per node (readings after a forced GC: empty → logged in → loaded; per connection: loaded − logged in)</p>"
                + "<table><tr><th>node</th><th>requested</th><th>connected</th><th>failed</th><th>workers</th><th>connect p50 ms</th><th>p99 ms</th><th>max ms</th>"
                + "<th>RSS MB</th><th>heap MB</th><th>FDs</th><th>RSS/conn KB</th><th>heap/conn KB</th><th>RSS/conn with sessions KB</th><th>FDs/conn</th></tr>\n");
        for (IdleCapacity.NodeResult n : c.nodes()) {
            html.append(idleRow(n.node(), n.requested(), n.connected(), n.failed(), n.processes(), n.connectLatency(), n.empty(), n.loggedIn(),
                    n.loaded(), n.rssPerConnectionBytes(), n.heapPerConnectionBytes(), n.rssPerConnectionWithSessionsBytes(), n.fdsPerConnection()));
        }
        html.append(idleRow("total", r.requested(), r.connected(), r.failed(), c.processes(), r.connectLatency(), r.empty(), r.loggedIn(),
                r.loaded(), r.rssPerConnectionBytes(), r.heapPerConnectionBytes(), r.rssPerConnectionWithSessionsBytes(), r.fdsPerConnection()));
        html.append("</table>\n");
        html.append(String.format(Locale.ROOT, "<p>Redis used_memory (the whole instance): %d → %d → %d KB, %.1f bytes per connection</p>%n",
                c.redisEmptyBytes() >> 10, c.redisLoggedInBytes() >> 10, c.redisLoadedBytes() >> 10, c.redisPerConnectionBytes()));
    }

    private static String idleRow(String node, int requested, int connected, int failed, int processes, Latency connect, NodeProbe.Sample empty,
            NodeProbe.Sample loggedIn, NodeProbe.Sample loaded, double rssPer, double heapPer, double rssWithSessionsPer, double fdsPer) {
        return String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%.1f</td><td>%.1f</td><td>%.1f</td>"
                        + "<td>%d → %d → %d</td><td>%d → %d → %d</td><td>%d → %d</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.2f</td></tr>%n",
                SvgChart.escape(node), requested, connected, failed, processes, connect.p50Ms(), connect.p99Ms(), connect.maxMs(),
                empty.rssBytes() >> 20, loggedIn.rssBytes() >> 20, loaded.rssBytes() >> 20,
                empty.heapUsedBytes() >> 20, loggedIn.heapUsedBytes() >> 20, loaded.heapUsedBytes() >> 20,
                loggedIn.openFds(), loaded.openFds(), rssPer / 1024, heapPer / 1024, rssWithSessionsPer / 1024, fdsPer);
    }

    private static SvgChart.Series timeSeries(Scenario s, String name, java.util.function.ToDoubleFunction<Monitor.Sample> value) {
        List<double[]> points = new ArrayList<>();
        double t0 = s.timeline().isEmpty() ? 0 : s.timeline().get(0).t();
        for (Monitor.Sample sample : s.timeline()) {
            points.add(new double[] {sample.t() - t0, value.applyAsDouble(sample)});
        }
        return new SvgChart.Series(name, points);
    }

    private static String chart(Path dir, String name, String svg) throws IOException {
        Files.writeString(dir.resolve(name + ".svg"), svg);
        return svg;
    }
}
