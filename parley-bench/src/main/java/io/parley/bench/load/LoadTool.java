package io.parley.bench.load;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The load tool's entry point: {@code scripts/bench-load <scenario> [--option=value ...]}. Runs one
 * scenario (S1 … S5) or a suite against each {@code --target} in turn (parley, socketio), with one
 * generator, and writes {@code report.json}, {@code report.html} and SVG charts to {@code --out}.
 * See docs/benchmarks.md for every option and preset.
 */
public final class LoadTool {

    private static final String HELP = """
            usage: scripts/bench-load <S1|S1-cluster|S2|S3|S4|S5|S6|suite> [--option=value ...]
              --target=parley[,socketio]  servers to drive in turn (default parley)
              --url=http://127.0.0.1:8080 --pid=N   a running server instead of starting one (pid: server figures)
              --quick                     small sizes and short steps (suite: under two minutes)
              --out=DIR                   report directory (default target/bench-load/<time>)
              --node-java=PATH --node-jvm="-Xmx2g ..." --jar=PATH   how started Parley nodes run
              S1: --connections=19000 --connect-rate=1000 --hold=5 --processes=N (default: one per 18,000 connections)
                  --nodes=N   spread the connections evenly over N nodes in cluster mode (Redis + PostgreSQL); default 1.
                              With N > 1: at least one worker process per node, each connecting to one node (--processes: the
                              total, at least N); --per-user defaults to 100 (the nodes' max-per-user follows it), each node's
                              accounts sign up on it; nodes run with the connection-heavy JVM flags and a heap for their share
                              (--node-jvm overrides) and parley.connections.max just above their share
              S1-cluster: S1 with --nodes=6 --connections=100000 --per-user=100 (the issue's 100,000 across six nodes)
              S2..S5: --rooms=10 --room-size=100 --publishers=4 --rates=20000,40000,... (deliveries/s; acks/s for S4)
                      --warmup=3 --step=10 --p99=25 (ms) --text-bytes=64 --slow=0.01 (S5) --store=h2|postgres (S4)
                      --server-warmup=20 (s of unjudged traffic before the first step) --server-warmup-rate=N (default: the 2nd rate)
              S6: --clients=10000 --room-size=100 --publishers=4 --rate=200 (messages/s) --seconds=60 --jitter=1 (s)
                  --backoff-max=30 (s; refused or failed reconnects retry with full-jitter backoff plus Retry-After)
              every run: --auth=token|cookie (Parley logins: access tokens, default, or session cookies) --per-user=10 (connections per account) --sources=4 (127.0.0.2..) --io-threads=2
            """;

    private LoadTool() {}

    public static void main(String[] args) {
        Options options = new Options(args);
        if (options.scenario().equals("help") || options.flag("help")) {
            System.out.print(HELP);
            return;
        }
        if (options.scenario().equals("worker")) {
            try {
                Workers.work(options);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            System.exit(0);
        }
        run(options, System.out);
        System.exit(0); // node processes' reapers and Netty's threads must not keep the tool alive
    }

    /** Runs the scenario of {@code options} and returns the report directory. */
    public static Path run(Options options, PrintStream log) {
        Path out = Path.of(options.string("out", "target/bench-load/" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))).toAbsolutePath();
        boolean quick = options.flag("quick");
        Report report = new Report(options.args());
        List<String> targets = List.of(options.string("target", "parley").split(","));
        for (String target : targets) {
            // Consecutive scenarios on the same kind of server share it: a node starts once per shape.
            Target open = null;
            String openShape = "";
            try {
                for (Preset base : presets(options.scenario(), quick, options.has("store"))) {
                    Preset preset = base.resolve(options);
                    if (preset.parleyOnly() && !target.equals("parley")) {
                        log.println(preset.name() + ": Parley only (Socket.IO acknowledges nothing), skipped for " + target);
                        continue;
                    }
                    Options o = options.with(preset.scenario(), preset.overrides()).with("target", target);
                    String store = o.string("store", "h2");
                    Target.NodeSettings settings = preset.nodeSettings(o);
                    String shape = preset.nodes() + "/" + preset.cluster() + "/" + store + "/" + settings;
                    if (open == null || !shape.equals(openShape)) {
                        if (open != null) {
                            open.close();
                        }
                        open = Target.open(o, preset.nodes(), preset.cluster(), store, settings, out.resolve("work"), log);
                        openShape = shape;
                    }
                    report.add(runOne(preset, o, open, store, out.resolve("work"), log));
                    report.write(out);
                }
            } finally {
                if (open != null) {
                    open.close();
                }
            }
        }
        if (!options.unused().isEmpty()) {
            log.println("WARNING: options not used by any scenario (typo?): " + options.unused());
        }
        log.println("report: " + out.toAbsolutePath().resolve("report.html"));
        return out;
    }

    /** A scenario with its sizes; {@code nodes} > 1 starts a cluster. */
    record Preset(String name, String scenario, int nodes, boolean cluster, boolean parleyOnly, Map<String, String> overrides) {

        /**
         * This preset with the command line's node count: S1 takes {@code --nodes} (a cluster from
         * two on, named {@code S1-cluster}, 100 connections per account unless {@code --per-user}
         * says otherwise); the other scenarios have a fixed shape.
         */
        Preset resolve(Options options) {
            if (!scenario.equals("S1")) {
                return this;
            }
            int count = options.integer("nodes", nodes);
            if (count < 1) {
                throw new IllegalArgumentException("--nodes must be at least 1, got " + count);
            }
            if (count == nodes) {
                return this;
            }
            return count == 1 ? new Preset("S1", scenario, 1, false, parleyOnly, overrides)
                    : new Preset("S1-cluster", scenario, count, true, parleyOnly, merge(Map.of("per-user", "100"), overrides));
        }

        /** How this preset's Parley nodes start unless {@code --node-jvm} says otherwise. */
        Target.NodeSettings nodeSettings(Options o) {
            return scenario.equals("S1") && nodes > 1 ? IdleCapacity.nodeSettings(o.integer("connections", 19_000), nodes)
                    : Target.NodeSettings.DEFAULT;
        }
    }

    static List<Preset> presets(String scenario, boolean quick, boolean storeGiven) {
        Map<String, String> q2 = Map.of("rooms", "2", "room-size", "20", "publishers", "2", "rates", "400,800", "warmup", "1", "step", "2", "server-warmup", "1");
        Preset s1 = new Preset("S1", "S1", 1, false, false, quick ? Map.of("connections", "200", "connect-rate", "500", "hold", "1") : Map.of());
        Preset s1cluster = new Preset("S1-cluster", "S1", quick ? 2 : 6, true, false, quick
                ? Map.of("connections", "400", "connect-rate", "500", "hold", "1", "per-user", "20")
                : Map.of("connections", "100000", "per-user", "100"));
        Preset s2 = new Preset("S2", "S2", 1, false, false, quick ? q2 : Map.of());
        Preset s3 = new Preset("S3", "S3", 2, true, false,
                quick ? merge(q2, Map.of("publisher-node", "0", "subscriber-node", "1")) : Map.of("publisher-node", "0", "subscriber-node", "1"));
        Map<String, String> s4 = quick
                ? Map.of("rooms", "10", "room-size", "1", "publishers", "10", "rates", "200,400", "warmup", "1", "step", "2", "server-warmup", "1", "acks", "true", "p99", "1000")
                : Map.of("rooms", "100", "room-size", "1", "publishers", "100", "rates", "2000,5000,10000,15000,20000,25000,30000", "acks", "true", "p99", "20");
        Preset s4h2 = new Preset("S4", "S4", 1, false, true, merge(s4, Map.of("store", "h2")));
        Preset s4pg = new Preset("S4", "S4", 1, false, true, merge(s4, Map.of("store", "postgres")));
        Preset s2x1000 = new Preset("S2-1x1000", "S2", 1, false, false, Map.of("rooms", "1", "room-size", "1000"));
        Preset s2x10 = new Preset("S2-100x10", "S2", 1, false, false, Map.of("rooms", "100", "room-size", "10"));
        Preset s5 = new Preset("S5", "S5", 1, false, false, quick
                ? Map.of("rooms", "1", "room-size", "100", "publishers", "1", "rates", "1000", "warmup", "1", "step", "2", "server-warmup", "1", "slow", "0.01")
                : Map.of("rates", "30000", "slow", "0.01"));
        Preset s6 = new Preset("S6", "S6", 2, true, true, quick
                ? Map.of("clients", "100", "room-size", "10", "publishers", "2", "rate", "50", "seconds", "8", "jitter", "0.5")
                : Map.of());
        return switch (scenario) {
            case "S1" -> List.of(s1);
            case "S1-cluster" -> List.of(s1cluster);
            case "S2" -> List.of(s2);
            case "S3" -> List.of(s3);
            case "S4" -> storeGiven ? List.of(s4h2) : List.of(s4h2, s4pg); // --store: that store only
            case "S5" -> List.of(s5);
            case "S6" -> List.of(s6);
            case "suite" -> quick ? List.of(s1, s2, s4h2, s5, s6) : List.of(s1, s2, s2x1000, s2x10, s5, s4h2, s4pg, s3, s6);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario + " (S1..S6, S1-cluster or suite)");
        };
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new java.util.LinkedHashMap<>(a);
        m.putAll(b);
        return m;
    }

    private static Report.Scenario runOne(Preset preset, Options o, Target target, String store, Path work, PrintStream log) {
        try (Generator generator = new Generator(o.integer("io-threads", 2), o.integer("sources", 4));
                Monitor monitor = new Monitor(generator, target.probes(), log)) {
            List<String> nodeNames = new ArrayList<>();
            boolean parley = target.kind() == Target.Kind.PARLEY;
            target.nodes().forEach(n -> nodeNames.add(n.name() + " " + n.url()
                    + (preset.cluster() ? " cluster" + (parley ? " postgres" : "") : parley ? " " + store : "")));
            String name = preset.name() + (preset.scenario().equals("S4") ? "-" + store : "");
            if (preset.scenario().equals("S1")) {
                IdleCapacity.Result idle = IdleCapacity.run(o, generator, target, monitor, work, log);
                return new Report.Scenario(name, target.kind().name().toLowerCase(), nodeNames, List.of(), idle, null, monitor.timeline());
            }
            if (preset.scenario().equals("S6")) {
                ReconnectStorm.Result storm = ReconnectStorm.run(o, generator, target, monitor, log);
                return new Report.Scenario(name, target.kind().name().toLowerCase(), nodeNames, List.of(), null, storm, monitor.timeline());
            }
            FanOut.Plan plan = FanOut.Plan.from(name, o, Map.of());
            List<FanOut.Step> steps = new FanOut(plan, generator, target, monitor, log).run(o);
            return new Report.Scenario(name, target.kind().name().toLowerCase(), nodeNames, steps, null, null, monitor.timeline());
        }
    }
}
