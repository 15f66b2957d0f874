package io.parley.server.web;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.parley.protocol.CloseCodes;
import io.parley.server.connection.Connection;
import io.parley.server.connection.Connections;
import io.parley.server.support.ParleyNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.web.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The web UI in a real browser (Debian's headless Chromium, driven through its ChromeDriver; both
 * installed by {@code scripts/test}): sign up, join, chat, typing, presence, text rendered as text,
 * and a dropped socket that reconnects and resumes without loss or duplicate.
 */
class WebUiIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path dataDir;

    static ParleyNode node;
    private final List<WebDriver> browsers = new java.util.ArrayList<>();

    @BeforeAll
    static void start() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Chromium and ChromeDriver are needed: scripts/test installs them (apt-get install chromium chromium-driver)");
        node = ParleyNode.start(Map.of("parley.data-dir", dataDir.toString()));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @AfterEach
    void quit() {
        browsers.forEach(WebDriver::quit);
    }

    private WebDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1100,700");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort().build();
        WebDriver driver = new ChromeDriver(service, options);
        browsers.add(driver);
        return driver;
    }

    private static WebDriverWait waiting(WebDriver driver) {
        return new WebDriverWait(driver, Duration.ofSeconds(15));
    }

    private static void waitFor(WebDriver driver, String id, String text) {
        waiting(driver).until(d -> d.findElement(By.id(id)).getText().contains(text));
    }

    private static String signUp(WebDriver driver, String prefix) {
        String name = prefix + UUID.randomUUID().toString().substring(0, 6).replace("-", "");
        driver.get(node.baseUrl() + "/");
        waiting(driver).until(d -> d.findElement(By.id("auth")).isDisplayed());
        driver.findElement(By.id("username")).sendKeys(name);
        driver.findElement(By.id("password")).sendKeys("correct horse");
        driver.findElement(By.id("signup")).click();
        waitFor(driver, "state", "connected");
        assertThat(driver.findElement(By.id("whoami")).getText()).isEqualTo(name);
        assertThat(driver.findElement(By.id("auth")).isDisplayed()).isFalse();
        return name;
    }

    private static void join(WebDriver driver, String room) {
        driver.findElement(By.id("join-room")).sendKeys(room);
        driver.findElement(By.cssSelector("#join-form button")).click();
        waitFor(driver, "room-title", "#" + room);
    }

    private static void say(WebDriver driver, String text) {
        driver.findElement(By.id("text")).sendKeys(text);
        driver.findElement(By.id("send")).click();
    }

    private static List<String> messages(WebDriver driver) {
        return driver.findElements(By.cssSelector("#messages li:not(.pending) span:nth-child(2)")).stream()
                .map(WebElement::getText).toList();
    }

    @Test
    void twoUsersChatWithTypingAndPresenceAndTextIsRenderedAsText() {
        WebDriver alice = browser();
        WebDriver bob = browser();
        String aliceName = signUp(alice, "alice");
        String bobName = signUp(bob, "bob");
        String room = "lobby-" + UUID.randomUUID().toString().substring(0, 6);
        join(alice, room);
        join(bob, room);
        waitFor(alice, "presence", bobName);
        assertThat(alice.findElement(By.id("presence")).getText()).contains(aliceName);

        say(alice, "<b>not bold</b> hello");
        waiting(bob).until(d -> messages(d).contains("<b>not bold</b> hello"));
        assertThat(bob.findElements(By.cssSelector("#messages b"))).isEmpty();

        bob.findElement(By.id("text")).sendKeys("typing");
        waitFor(alice, "typing", bobName + " is typing");
        bob.findElement(By.id("send")).click();
        waiting(alice).until(d -> messages(d).contains("typing"));
        assertThat(messages(alice)).containsExactly("<b>not bold</b> hello", "typing");

        // Bob closes his tab: the change reaches alice as a presence delta, applied to her list.
        bob.quit();
        browsers.remove(bob);
        waiting(alice).until(d -> !d.findElement(By.id("presence")).getText().contains(bobName));
        assertThat(alice.findElement(By.id("presence")).getText()).contains(aliceName);
    }

    @Test
    void droppedSocketReconnectsAndResumesWithoutLossOrDuplicate() {
        WebDriver alice = browser();
        WebDriver bob = browser();
        signUp(alice, "alice");
        String bobName = signUp(bob, "bob");
        String room = "resume-" + UUID.randomUUID().toString().substring(0, 6);
        join(alice, room);
        join(bob, room);
        say(alice, "one");
        waiting(bob).until(d -> messages(d).contains("one"));

        // The node drains Bob's socket (1012): the page reconnects by itself and resumes the room.
        Connections connections = node.bean(Connections.class);
        for (Connection connection : connections.all()) {
            if (connection.user().equals(bobName)) {
                connection.close(new CloseStatus(CloseCodes.SERVICE_RESTART, "test drain"));
            }
        }
        say(alice, "two");
        say(alice, "three");
        waitFor(bob, "state", "resumed");
        waiting(bob).until(d -> messages(d).contains("three"));
        assertThat(messages(bob)).containsExactly("one", "two", "three");
    }

    @Test
    void directMessageAppearsInTheRecipientsRoomList() {
        WebDriver alice = browser();
        WebDriver bob = browser();
        signUp(alice, "alice");
        String bobName = signUp(bob, "bob");
        alice.findElement(By.id("dm-user")).sendKeys(bobName);
        alice.findElement(By.cssSelector("#dm-form button")).click();
        waitFor(alice, "room-title", "@" + bobName);
        say(alice, "psst");
        waiting(bob).until(d -> d.findElement(By.id("rooms")).getText().contains("@"));
        bob.findElement(By.cssSelector("#rooms li")).click();
        waiting(bob).until(d -> messages(d).contains("psst"));
    }
}
