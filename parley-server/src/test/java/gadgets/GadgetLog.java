package gadgets;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where the planted gadget classes record that they were loaded (static initializer), constructed
 * or had a property set. A test reads this class only, never a gadget class, so reading it loads
 * none of them. Thread-safe.
 */
public final class GadgetLog {

    private static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    private GadgetLog() {
    }

    public static void record(String event) {
        EVENTS.add(event);
    }

    /** Everything recorded so far in this JVM, in order. */
    public static List<String> events() {
        return List.copyOf(EVENTS);
    }
}
