package io.parley.server.web;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.parley.protocol.CloseCodes;
import io.parley.server.connection.Connection;
import io.parley.server.connection.Connections;
import io.parley.server.support.Chromium;
import io.parley.server.support.ParleyNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.web.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The web UI in a real browser (Debian's headless Chromium, driven through its ChromeDriver; both
 * installed by {@code scripts/test}): sign up, join, chat, typing, presence, text rendered as text
 * (stored markup runs nothing), the Content-Security-Policy enforced with the UI inside it, and a
 * dropped socket that reconnects and resumes without loss or duplicate.
 */
class WebUiIT {

    @TempDir
    static Path dataDir;

    static ParleyNode node;
    private final List<WebDriver> browsers = new java.util.ArrayList<>();

    @BeforeAll
    static void start() {
        assumeTrue(Chromium.available(), Chromium.MISSING);
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
        WebDriver driver = Chromium.start();
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
        waiting(driver).until(d -> d.findElement(By.id("state")).getText().equals("connected"));
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

    /** The texts of the confirmed messages shown, read in one script call (the list is re-rendered as messages arrive). */
    @SuppressWarnings("unchecked")
    private static List<String> messages(WebDriver driver) {
        return (List<String>) ((JavascriptExecutor) driver).executeScript(
                "return [...document.querySelectorAll('#messages li.message .text')].map(e => e.textContent);");
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

    /** Markup that would run script if a client rendered it as HTML; each marks the page if it ever runs. */
    static final List<String> XSS_PAYLOADS = List.of(
            "<script>window.__pwned='script';document.title='pwned'</script>",
            "<img src=x onerror=\"window.__pwned='img';document.title='pwned'\">",
            "<svg onload=\"window.__pwned='svg'\"></svg>",
            "\"><iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>",
            "<a href=\"javascript:window.__pwned='link'\">click</a>");

    @Test
    void storedScriptAndImgOnerrorMessagesAreShownAsTextAndRunNothing() {
        WebDriver alice = browser();
        signUp(alice, "alice");
        String room = "xss-" + UUID.randomUUID().toString().substring(0, 6);
        join(alice, room);
        for (String payload : XSS_PAYLOADS) {
            say(alice, payload);
            waiting(alice).until(d -> messages(d).contains(payload));
        }
        // Bob arrives later: the payloads come to him from the stored history.
        WebDriver bob = browser();
        signUp(bob, "bob");
        join(bob, room);
        waiting(bob).until(d -> messages(d).size() == XSS_PAYLOADS.size());
        for (WebDriver reader : List.of(alice, bob)) {
            assertThat(messages(reader)).containsExactlyElementsOf(XSS_PAYLOADS);
            assertThat(reader.findElements(By.cssSelector("#messages script, #messages img, #messages svg, #messages iframe, #messages a")))
                    .isEmpty();
            assertThat(((JavascriptExecutor) reader).executeScript("return typeof window.__pwned")).isEqualTo("undefined");
            assertThat(reader.getTitle()).isEqualTo("Parley");
            assertThat(cspViolations(reader)).isEmpty();
        }
    }

    @Test
    void thePageKeepsItsContentSecurityPolicyAndItsWebSocketIsAllowedByConnectSrcSelf() {
        WebDriver carol = browser();
        // Connected: the ws: socket to this origin passed connect-src 'self' (Chromium).
        signUp(carol, "carol");
        assertThat(cspViolations(carol)).as("the UI itself breaks none of its policy").isEmpty();

        // The policy is enforced: a script element with inline code does not run, and is reported.
        JavascriptExecutor page = (JavascriptExecutor) carol;
        page.executeScript("const s = document.createElement('script'); s.textContent = \"window.__inline = 'ran'\"; "
                + "document.body.append(s);");
        page.executeScript("const d = document.createElement('div'); d.setAttribute('style', 'color: red'); d.id = 'styled'; "
                + "document.body.append(d);");
        List<String> reported = new java.util.ArrayList<>();
        waiting(carol).until(d -> reported.addAll(cspViolations(d)) && reported.size() >= 2);
        assertThat(page.executeScript("return typeof window.__inline")).isEqualTo("undefined");
        assertThat(page.executeScript("return getComputedStyle(document.getElementById('styled')).color")).isNotEqualTo("rgb(255, 0, 0)");
        assertThat(String.join("\n", reported)).contains("script-src").contains("style-src");
    }

    /** Content-Security-Policy violations reported in the browser's console since the last call (each is returned once). */
    private static List<String> cspViolations(WebDriver driver) {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::getMessage)
                .filter(message -> message.contains("Content Security Policy"))
                .toList();
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
        ChatPage bobsPage = new ChatPage(bob, node.baseUrl());
        bobsPage.recordStates();
        Connections connections = node.bean(Connections.class);
        for (Connection connection : connections.all()) {
            if (connection.user().equals(bobName)) {
                connection.close(new CloseStatus(CloseCodes.SERVICE_RESTART, "test drain"));
            }
        }
        say(alice, "two");
        say(alice, "three");
        waiting(bob).until(d -> bobsPage.recordedStates().stream().anyMatch(s -> s.startsWith("reconnecting"))
                && bobsPage.state().equals("connected"));
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
        bob.findElement(By.cssSelector("#rooms button")).click();
        waiting(bob).until(d -> messages(d).contains("psst"));
    }
}
