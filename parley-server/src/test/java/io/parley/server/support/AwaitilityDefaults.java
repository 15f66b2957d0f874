package io.parley.server.support;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test class of this module (JUnit's extension auto-detection, {@code
 * junit-platform.properties}): an Awaitility wait checks its condition at once, then every 100 ms.
 * Awaitility's own default first waits one poll interval, so a wait for something already true
 * cost 100 ms — and the suites wait thousands of times (DrainIT alone spent 100 s in 1000 such waits).
 */
public final class AwaitilityDefaults implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        Awaitility.setDefaultPollDelay(Duration.ZERO);
    }
}
