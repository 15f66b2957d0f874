import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * The top frames of a JFR recording's CPU samples ({@code jdk.ExecutionSample}), as docs/benchmarks.md
 * quotes them: samples by thread group, the methods with the most samples on top of the stack (self),
 * and the methods present anywhere in the stack (total). Run with the JDK's source launcher:
 *
 * <pre>
 * java scripts/JfrTop.java node.jfr [--top=25] [--thread=regex] [--from=ISO-instant] [--to=ISO-instant]
 * </pre>
 *
 * Thread names are grouped with their digits replaced by {@code #} ({@code http-nio-8080-exec-#}).
 */
public class JfrTop {

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: java scripts/JfrTop.java <recording.jfr> [--top=25] [--thread=regex] [--from=instant] [--to=instant]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int top = 25;
        String threadFilter = null;
        Instant from = Instant.MIN;
        Instant to = Instant.MAX;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--top=")) {
                top = Integer.parseInt(a.substring(6));
            } else if (a.startsWith("--thread=")) {
                threadFilter = a.substring(9);
            } else if (a.startsWith("--from=")) {
                from = Instant.parse(a.substring(7));
            } else if (a.startsWith("--to=")) {
                to = Instant.parse(a.substring(5));
            } else {
                throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            if (event.getStartTime().isBefore(from) || event.getStartTime().isAfter(to)) {
                continue;
            }
            RecordedThread sampled = event.getThread("sampledThread");
            String thread = sampled == null || sampled.getJavaName() == null ? "?" : sampled.getJavaName();
            if (threadFilter != null && !thread.matches(threadFilter)) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            threads.merge(thread.replaceAll("\\d+", "#"), 1, Integer::sum);
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String name = name(frame);
                if (seen.add(name)) {
                    total.merge(name, 1, Integer::sum);
                }
            }
        }
        System.out.printf("%d CPU samples in %s%n", samples, file);
        print("threads", threads, samples, top);
        print("self (top of stack)", self, samples, top);
        print("total (anywhere in the stack)", total, samples, top);
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int samples, int top) {
        System.out.printf("%n%s%n", title);
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        for (Map.Entry<String, Integer> e : entries.subList(0, Math.min(top, entries.size()))) {
            System.out.printf("%6.1f %%  %7d  %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getValue(), e.getKey());
        }
    }
}
