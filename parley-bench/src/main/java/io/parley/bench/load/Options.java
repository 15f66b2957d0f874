package io.parley.bench.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line: {@code --key=value} and {@code --flag}, the first bare word being the scenario.
 * Every size of a scenario is an option with the scenario's default; an unknown key fails the run,
 * so a typo never measures the default silently.
 */
final class Options {

    private final String scenario;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> args;
    /** Keys read by this run, shared by every copy, so {@link #unused} sees what no scenario read. */
    private final Set<String> used;

    Options(String... args) {
        this(new HashSet<>(), args);
    }

    private Options(Set<String> used, String... args) {
        this.used = used;
        this.args = List.of(args);
        String first = null;
        for (String arg : args) {
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                values.put(eq < 0 ? arg.substring(2) : arg.substring(2, eq), eq < 0 ? "true" : arg.substring(eq + 1));
            } else if (first == null) {
                first = arg;
            } else {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
        }
        this.scenario = first == null ? "help" : first;
    }

    String scenario() {
        return scenario;
    }

    List<String> args() {
        return args;
    }

    /** A copy with some values replaced (the presets of a suite). */
    Options with(String scenario, Map<String, String> overrides) {
        List<String> copy = new ArrayList<>();
        copy.add(scenario);
        Map<String, String> merged = new LinkedHashMap<>(overrides);
        merged.putAll(values); // the command line wins over a preset
        merged.forEach((k, v) -> copy.add("--" + k + "=" + v));
        return new Options(used, copy.toArray(String[]::new));
    }

    /** A copy with {@code key} set, whatever the command line said. */
    Options with(String key, String value) {
        Options copy = with(scenario, Map.of());
        copy.values.put(key, value);
        return copy;
    }

    boolean has(String key) {
        used.add(key);
        return values.containsKey(key);
    }

    String string(String key, String otherwise) {
        used.add(key);
        return values.getOrDefault(key, otherwise);
    }

    int integer(String key, int otherwise) {
        return Integer.parseInt(string(key, Integer.toString(otherwise)).replace("_", ""));
    }

    double decimal(String key, double otherwise) {
        return Double.parseDouble(string(key, Double.toString(otherwise)));
    }

    boolean flag(String key) {
        return Boolean.parseBoolean(string(key, "false"));
    }

    List<Integer> integers(String key, String otherwise) {
        return Arrays.stream(string(key, otherwise).split(",")).map(s -> Integer.parseInt(s.trim().replace("_", ""))).toList();
    }

    /** The options of the command line that nothing read (typos): call once the run is over. */
    List<String> unused() {
        return values.keySet().stream().filter(k -> !used.contains(k)).toList();
    }
}
