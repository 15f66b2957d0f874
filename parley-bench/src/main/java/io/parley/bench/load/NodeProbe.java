package io.parley.bench.load;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server side of a measurement, read from outside the node process: CPU time, RSS and open
 * descriptors from {@code /proc/<pid>}, heap use and GC totals from {@code jcmd} (the node's own
 * JDK), so nothing depends on the node's HTTP endpoints. Linux only. Calls block (jcmd takes ~0.3 s)
 * and are made from the scenario's thread, never from an event loop.
 */
final class NodeProbe {

    /** A reading; {@code heapUsedBytes} and the GC figures are -1 when jcmd could not answer. */
    record Sample(long cpuNanos, long rssBytes, int openFds, long heapUsedBytes, long gcCount, long gcNanos) {

        /** The sum of several nodes' readings (a cluster's); a figure that one node lacks (-1) is -1 in the sum. */
        static Sample total(java.util.List<Sample> samples) {
            long cpu = 0;
            long rss = 0;
            int fds = 0;
            long heap = 0;
            long gcCount = 0;
            long gcNanos = 0;
            for (Sample s : samples) {
                cpu += s.cpuNanos();
                rss += s.rssBytes();
                fds += s.openFds();
                heap = heap < 0 || s.heapUsedBytes() < 0 ? -1 : heap + s.heapUsedBytes();
                gcCount = gcCount < 0 || s.gcCount() < 0 ? -1 : gcCount + s.gcCount();
                gcNanos = gcNanos < 0 || s.gcNanos() < 0 ? -1 : gcNanos + s.gcNanos();
            }
            return new Sample(cpu, rss, fds, heap, gcCount, gcNanos);
        }
    }

    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux/x86-64
    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private static final Pattern COUNTER = Pattern.compile("^sun\\.gc\\.collector\\.\\d+\\.(invocations|time)=(\\d+)$", Pattern.MULTILINE);
    private static final Pattern FREQUENCY = Pattern.compile("^sun\\.os\\.hrt\\.frequency=(\\d+)$", Pattern.MULTILINE);

    private final long pid;
    private final String jcmd;
    /**
     * Whether the process is a JVM. jcmd attaches by sending SIGQUIT, which a JVM answers and which
     * terminates any other process (node among them): it is never run against a non-JVM.
     */
    private final boolean jvm;

    NodeProbe(long pid) {
        this.pid = pid;
        Optional<Path> command = ProcessHandle.of(pid).flatMap(p -> p.info().command()).map(Path::of);
        this.jvm = command.map(c -> c.getFileName().toString().equals("java")).orElse(false);
        this.jcmd = command.map(java -> java.resolveSibling("jcmd"))
                .filter(Files::isExecutable).map(Path::toString).orElse("jcmd");
    }

    long pid() {
        return pid;
    }

    boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** CPU seconds (user + system) of the whole process so far, in nanoseconds. */
    long cpuNanos() {
        String stat = read("stat");
        // Fields after the command name (which is in parentheses and may hold spaces).
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    }

    long rssBytes() {
        for (String line : read("status").split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return -1;
    }

    int openFds() {
        String[] fds = new File("/proc/" + pid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** /proc and jcmd (heap, GC totals). */
    Sample full() {
        long[] gc = gcTotals();
        return new Sample(cpuNanos(), rssBytes(), openFds(), heapUsedBytes(), gc[0], gc[1]);
    }

    /** Forces a full GC in the node ({@code jcmd GC.run}) and reads afterwards: for per-connection figures. */
    Sample afterGc() {
        jcmd("GC.run");
        return full();
    }

    /** Heap in use, the sum of the collector's spaces in {@code GC.heap_info} (metaspace excluded). */
    long heapUsedBytes() {
        return jcmd("GC.heap_info").map(info -> {
            long usedKb = 0;
            boolean found = false;
            for (String line : info.split("\n")) {
                if (line.contains("Metaspace") || line.contains("class space")) {
                    continue;
                }
                Matcher used = USED.matcher(line);
                if (used.find()) {
                    found = true;
                    usedKb += Long.parseLong(used.group(1));
                    if (line.contains("garbage-first heap") || line.contains("ZHeap") || line.contains("Shenandoah")) {
                        break; // one line for the whole heap; its regions follow
                    }
                }
            }
            return found ? usedKb * 1024 : -1L;
        }).orElse(-1L);
    }

    /** GC count and total GC time (ns) over all collectors, from the JVM's perf counters; -1 when unknown. */
    long[] gcTotals() {
        return jcmd("PerfCounter.print").map(counters -> {
            Matcher frequency = FREQUENCY.matcher(counters);
            double ticksPerNano = frequency.find() ? Long.parseLong(frequency.group(1)) / 1e9 : 1;
            long count = 0;
            long ticks = 0;
            Matcher m = COUNTER.matcher(counters);
            boolean found = false;
            while (m.find()) {
                found = true;
                if (m.group(1).equals("invocations")) {
                    count += Long.parseLong(m.group(2));
                } else {
                    ticks += Long.parseLong(m.group(2));
                }
            }
            return found ? new long[] {count, (long) (ticks / ticksPerNano)} : new long[] {-1, -1};
        }).orElse(new long[] {-1, -1});
    }

    private Optional<String> jcmd(String command) {
        if (!jvm) {
            return Optional.empty();
        }
        try {
            Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return Optional.empty();
            }
            return Optional.of(out);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private String read(String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), file));
        } catch (IOException e) {
            throw new IllegalStateException("node process " + pid + " is gone", e);
        }
    }
}
