package io.parley.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat page in one browser, as a person uses it: sign up, log in, join, pick a room, write. Reads
 * what the page shows from its DOM, in one script call where the page may re-render meanwhile. Waits
 * are bounded ({@link #WAIT}), never sleeps.
 */
final class ChatPage {

    static final Duration WAIT = Duration.ofSeconds(20);
    /** Where the browser tests save their screenshots (the build's artifacts). */
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "ui-screenshots");

    final WebDriver driver;
    final String baseUrl;

    ChatPage(WebDriver driver, String baseUrl) {
        this.driver = driver;
        this.baseUrl = baseUrl;
    }

    WebDriverWait waiting() {
        return new WebDriverWait(driver, WAIT);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    void waitFor(String id, String text) {
        waiting().until(d -> d.findElement(By.id(id)).getText().contains(text));
    }

    String text(String id) {
        return String.valueOf(js("return document.getElementById(arguments[0]).textContent;", id));
    }

    ChatPage open() {
        driver.get(baseUrl + "/");
        waiting().until(d -> d.findElement(By.id("auth")).isDisplayed() || d.findElement(By.id("chat")).isDisplayed());
        return this;
    }

    /** Fills the form and presses a button; does not wait for the outcome. */
    void fillAuth(String name, String password, String button) {
        WebElement user = driver.findElement(By.id("username"));
        user.clear();
        user.sendKeys(name);
        WebElement secret = driver.findElement(By.id("password"));
        secret.clear();
        secret.sendKeys(password);
        driver.findElement(By.id(button)).click();
    }

    ChatPage signUp(String name, String password) {
        fillAuth(name, password, "signup");
        awaitConnected();
        assertThat(driver.findElement(By.id("auth")).isDisplayed()).isFalse();
        return this;
    }

    ChatPage logIn(String name, String password) {
        fillAuth(name, password, "login");
        awaitConnected();
        return this;
    }

    void awaitConnected() {
        waiting().until(d -> "connected".equals(d.findElement(By.id("state")).getText()));
    }

    String state() {
        return text("state");
    }

    /** The node this page's socket is on, as the status pill's title says it. */
    String node() {
        return String.valueOf(js("return document.getElementById('state').title;")).replace("Connected to ", "");
    }

    /** On a narrow screen the room list is a drawer: opens it (when closed). */
    void showRoomsIfNarrow() {
        WebElement menu = driver.findElement(By.id("menu"));
        if (menu.isDisplayed() && "false".equals(menu.getDomAttribute("aria-expanded"))) {
            menu.click();
            waiting().until(d -> d.findElement(By.id("sidebar")).isDisplayed());
        }
    }

    void join(String room) {
        showRoomsIfNarrow();
        WebElement input = driver.findElement(By.id("join-room"));
        input.sendKeys(room);
        driver.findElement(By.cssSelector("#join-form button")).click();
        waitFor("room-title", "#" + room);
    }

    void openDirect(String user) {
        showRoomsIfNarrow();
        driver.findElement(By.id("dm-user")).sendKeys(user);
        driver.findElement(By.cssSelector("#dm-form button")).click();
    }

    /** Clicks a room of the list by its name ("lobby", "dm:alice:bob"). */
    void pick(String room) {
        showRoomsIfNarrow();
        driver.findElement(By.cssSelector("#rooms button[data-room='" + room + "']")).click();
    }

    void type(String text) {
        driver.findElement(By.id("text")).sendKeys(text);
    }

    void say(String text) {
        type(text);
        driver.findElement(By.id("send")).click();
    }

    /** Says it and waits until the server confirmed it (it shows in the list, no longer pending). */
    void sayConfirmed(String text) {
        int before = messages().size();
        say(text);
        waiting().until(d -> messages().size() > before && messages().contains(text) && pendingCount() == 0);
    }

    /** The texts of the confirmed messages of the room shown, in order. */
    @SuppressWarnings("unchecked")
    List<String> messages() {
        return (List<String>) js("return [...document.querySelectorAll('#messages li.message .text')].map(e => e.textContent);");
    }

    long pendingCount() {
        return (Long) js("return document.querySelectorAll('#pending li').length;");
    }

    /** Unread counts per room name, as the room list shows them (rooms without a badge: 0). */
    @SuppressWarnings("unchecked")
    Map<String, Long> badges() {
        Map<String, Object> raw = (Map<String, Object>) js("""
                const counts = {};
                for (const b of document.querySelectorAll('#rooms button')) {
                  const c = b.querySelector('.badge .count');
                  counts[b.dataset.room] = c ? Number(c.textContent) : 0;
                }
                return counts;""");
        Map<String, Long> counts = new LinkedHashMap<>();
        raw.forEach((room, count) -> counts.put(room, ((Number) count).longValue()));
        return counts;
    }

    /** Waits until the room list shows {@code count} unread for {@code room} (0: no badge). */
    void awaitUnread(String room, long count) {
        waiting().withMessage(() -> "unread " + count + " in " + room + "; the room list shows " + badges())
                .until(d -> badges().getOrDefault(room, -1L) == count);
    }

    /** From now on, every text the status pill shows is recorded in the page, in order. */
    void recordStates() {
        js("""
                window.__states = [document.getElementById('state').textContent];
                new MutationObserver(() => window.__states.push(document.getElementById('state').textContent))
                    .observe(document.getElementById('state'), { childList: true, characterData: true, subtree: true });""");
    }

    @SuppressWarnings("unchecked")
    List<String> recordedStates() {
        return (List<String>) js("return window.__states || [];");
    }

    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Files.write(SCREENSHOTS.resolve(name + ".png"), png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What axe-core found: its violations (id, impact, help, nodes) and how many of its rules the page passed. */
    record AxeResult(List<Map<String, Object>> violations, long passed) {
    }

    /** Runs axe-core (all its rules, WCAG 2.1 A and AA among them) on the page as it is. */
    @SuppressWarnings("unchecked")
    AxeResult axe() {
        js(AXE);
        Map<String, Object> result = (Map<String, Object>) ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                window.axe.run(document)
                   .then(r => done({ passed: r.passes.length, violations: r.violations.map(v => ({ id: v.id, impact: v.impact,
                       help: v.help, nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary) })) }))
                   .catch(e => done({ passed: 0, violations: [{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }] }));""");
        return new AxeResult((List<Map<String, Object>>) result.get("violations"), ((Number) result.get("passed")).longValue());
    }

    /** axe-core from its WebJar (test scope), injected by the test: the page itself never loads it. */
    private static final String AXE = load("META-INF/resources/webjars/axe-core/4.6.3/axe.min.js");

    private static String load(String resource) {
        try (InputStream in = ChatPage.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the test class path (org.webjars.npm:axe-core)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
