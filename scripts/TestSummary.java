import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The end of {@code scripts/test}: one screen that says what ran and what failed. Reads the JUnit
 * XML reports that Surefire ({@code *Tests}) and Failsafe ({@code *IT}) wrote under each module's
 * {@code target/}, and prints tests run, failed and skipped per module and tier, then each failed
 * test with the first line of its failure and where it was raised, and last one line for CI:
 * {@code tests: N passed, N failed, N skipped}.
 *
 * <p>Run with the JDK's source launcher from the project root: {@code java scripts/TestSummary.java
 * MODULE...}. A module with no report is listed as such (its tests did not run: an earlier module
 * failed, or it has none). Exits 1 when a test failed, else 0.
 */
public class TestSummary {

    private static final int MAX_FAILURES_LISTED = 15;

    record Counts(int run, int failed, int skipped) {
        Counts plus(Counts other) {
            return new Counts(run + other.run, failed + other.failed, skipped + other.skipped);
        }
    }

    record Failure(String test, String firstLine, String where, String output) {
    }

    public static void main(String[] args) throws Exception {
        Counts total = new Counts(0, 0, 0);
        List<Failure> failures = new ArrayList<>();
        System.out.println();
        System.out.println("==================================== test summary ====================================");
        System.out.printf("%-16s %-22s %6s %7s %8s%n", "module", "tier", "run", "failed", "skipped");
        for (String module : args) {
            Map<String, Path> tiers = new LinkedHashMap<>();
            tiers.put("unit (*Tests)", Path.of(module, "target", "surefire-reports"));
            tiers.put("integration (*IT)", Path.of(module, "target", "failsafe-reports"));
            boolean any = false;
            for (Map.Entry<String, Path> tier : tiers.entrySet()) {
                List<Path> reports = reports(tier.getValue());
                if (reports.isEmpty()) {
                    continue;
                }
                any = true;
                Counts counts = new Counts(0, 0, 0);
                for (Path report : reports) {
                    counts = counts.plus(read(report, tier.getValue(), failures));
                }
                total = total.plus(counts);
                System.out.printf("%-16s %-22s %6d %7s %8d%n", module, tier.getKey(), counts.run(),
                        counts.failed() == 0 ? "0" : counts.failed() + " !", counts.skipped());
            }
            if (!any) {
                System.out.printf("%-16s %-22s%n", module, "no report: no test ran");
            }
        }
        if (!failures.isEmpty()) {
            System.out.println();
            System.out.println("failed:");
            failures.stream().limit(MAX_FAILURES_LISTED).forEach(failure -> {
                System.out.println("  " + failure.test() + (failure.where().isEmpty() ? "" : "  (" + failure.where() + ")"));
                System.out.println("      " + failure.firstLine());
                if (!failure.output().isEmpty()) {
                    System.out.println("      output: " + failure.output());
                }
            });
            if (failures.size() > MAX_FAILURES_LISTED) {
                System.out.println("  … and " + (failures.size() - MAX_FAILURES_LISTED) + " more (see the reports under */target/)");
            }
        }
        System.out.println("======================================================================================");
        System.out.printf("tests: %d passed, %d failed, %d skipped%n", total.run() - total.failed() - total.skipped(),
                total.failed(), total.skipped());
        System.exit(total.failed() == 0 ? 0 : 1);
    }

    private static List<Path> reports(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList();
        }
    }

    private static Counts read(Path report, Path dir, List<Failure> failures) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element suite = factory.newDocumentBuilder().parse(report.toFile()).getDocumentElement();
        NodeList cases = suite.getElementsByTagName("testcase");
        int run = 0;
        int failed = 0;
        int skipped = 0;
        for (int i = 0; i < cases.getLength(); i++) {
            Element testcase = (Element) cases.item(i);
            run++;
            Element problem = child(testcase, "failure");
            if (problem == null) {
                problem = child(testcase, "error");
            }
            if (problem != null) {
                failed++;
                String className = testcase.getAttribute("classname");
                failures.add(new Failure(simpleName(className) + "." + testcase.getAttribute("name"),
                        firstLine(problem), where(problem.getTextContent(), simpleName(className)),
                        output(dir, className)));
            }
            else if (child(testcase, "skipped") != null) {
                skipped++;
            }
        }
        return new Counts(run, failed, skipped);
    }

    private static Element child(Element parent, String name) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                return element;
            }
        }
        return null;
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /**
     * The failure's type and message on one line (AssertJ spreads "Expecting actual: … to contain
     * …" over several), cut to two lines of a screen.
     */
    private static String firstLine(Element problem) {
        String message = problem.getAttribute("message");
        String type = problem.getAttribute("type");
        String text = message.isBlank()
                ? problem.getTextContent().strip().lines().findFirst().orElse(type)
                : type.substring(type.lastIndexOf('.') + 1) + ": " + String.join(" ", message.strip().lines().map(String::strip).toList());
        return text.length() > 200 ? text.substring(0, 197) + "..." : text;
    }

    /** The first stack frame in the test's own class ({@code GroupCommitTests.java:65}), or the first in Parley's code. */
    private static String where(String stack, String testClass) {
        String parley = "";
        for (String line : stack.lines().map(String::strip).toList()) {
            if (!line.startsWith("at ") || !line.contains("(")) {
                continue;
            }
            String location = line.substring(line.indexOf('(') + 1, line.length() - 1);
            if (location.startsWith(testClass + ".java:")) {
                return location;
            }
            if (parley.isEmpty() && line.startsWith("at io.parley.")) {
                parley = location;
            }
        }
        return parley;
    }

    /** The test class's console output, which the build sends to a file beside the report. */
    private static String output(Path dir, String className) {
        Path file = dir.resolve(className + "-output.txt");
        return Files.exists(file) ? file.toString() : "";
    }
}
