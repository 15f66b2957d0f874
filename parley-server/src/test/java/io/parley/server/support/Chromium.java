package io.parley.server.support;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real browser for UI tests: Debian's headless Chromium, driven through its ChromeDriver (both
 * installed by {@code scripts/test}). Each {@link #start} is a new browser with a profile of its
 * own; the caller quits it.
 */
public final class Chromium {

    public static final Path BINARY = Path.of("/usr/bin/chromium");
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    public static final String MISSING = "Chromium and ChromeDriver are needed: scripts/test installs them (apt-get install chromium chromium-driver)";

    private Chromium() {
    }

    /** Whether Chromium and ChromeDriver are installed. */
    public static boolean available() {
        return Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
    }

    /** A new headless browser with a 1100×700 window. */
    public static WebDriver start() {
        return start(1100, 700);
    }

    /** A new headless browser with a window of this size. */
    public static WebDriver start(int width, int height) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toString());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=" + width + "," + height);
        // The browser's console, so that tests can see Content-Security-Policy violations.
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER.toString()))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
