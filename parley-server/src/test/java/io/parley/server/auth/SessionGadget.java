package io.parley.server.auth;

import gadgets.GadgetLog;

/**
 * A gadget that looks like one of Parley's own classes (the session allowlist once admitted every
 * {@code io.parley.} type): it must be refused like any other. Never referenced by a test: only a
 * planted session value names it.
 */
public class SessionGadget {

    static {
        GadgetLog.record("SessionGadget loaded");
    }

    public SessionGadget() {
        GadgetLog.record("SessionGadget constructed");
    }

    public void setCommand(String command) {
        GadgetLog.record("SessionGadget.setCommand(" + command + ")");
    }
}
