package io.parley.server.web;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.parley.client.ParleyClient;
import io.parley.client.ParleyHttp;
import io.parley.server.support.Chromium;
import io.parley.server.support.ClusterServices;
import io.parley.server.support.HaProxy;
import io.parley.server.support.ProcessNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The chat page as people use it, in real browsers (Debian's headless Chromium), on a two-node
 * cluster of separate processes on the real Redis and PostgreSQL. Each browser reaches the cluster
 * through an HAProxy of its own that sends it to one node and falls back to the other (a
 * {@code backup} server) when that one is down, as a load balancer with stickiness would: alice's
 * first browser is served by node 0, bob's and alice's second by node 1, carol's (a phone, 390×844)
 * by node 0. The page reconnects to its own origin, so when node 1 is killed its pages come back
 * through node 0.
 *
 * <p>The tests run in order on the same nodes and browsers (started once), each building on the
 * state the previous ones left: accounts, rooms, messages. The last one kills node 1. Screenshots of
 * each key state go to {@code target/ui-screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChatUiClusterIT {

    static final String PASSWORD = "correct horse";
    static final String NODE_0 = "ui-node-0";
    static final String NODE_1 = "ui-node-1";

    static ClusterServices services;
    static ProcessNode node0;
    static ProcessNode node1;
    static HaProxy viaNode0;
    static HaProxy viaNode1;
    static final List<WebDriver> drivers = new ArrayList<>();
    static ChatPage alice;
    static ChatPage bob;
    static ChatPage carol;
    static ChatPage alice2;

    @BeforeAll
    static void start() {
        assumeTrue(Chromium.available(), Chromium.MISSING);
        services = new ClusterServices();
        node0 = ProcessNode.start(NODE_0, nodeProperties(NODE_0));
        node1 = ProcessNode.start(NODE_1, nodeProperties(NODE_1));
        // The browsers start while the nodes boot.
        WebDriver aliceBrowser = browser(1280, 800);
        WebDriver bobBrowser = browser(1280, 800);
        WebDriver carolBrowser = browser(390, 844);
        WebDriver alice2Browser = browser(1280, 800);
        node0.awaitReady(Duration.ofSeconds(120));
        node1.awaitReady(Duration.ofSeconds(120));
        viaNode0 = HaProxy.start("haproxy-ui-0", List.of(node0, node1), List.of(node1));
        viaNode1 = HaProxy.start("haproxy-ui-1", List.of(node1, node0), List.of(node0));
        alice = new ChatPage(aliceBrowser, viaNode0.baseUrl());
        bob = new ChatPage(bobBrowser, viaNode1.baseUrl());
        carol = new ChatPage(carolBrowser, viaNode0.baseUrl());
        alice2 = new ChatPage(alice2Browser, viaNode1.baseUrl());
    }

    static Map<String, String> nodeProperties(String id) {
        Map<String, String> properties = new HashMap<>(services.nodeProperties());
        properties.put("parley.node-id", id);
        // The seeding client of the history test sends 300 frames at once.
        properties.put("parley.websocket.frames-per-second", "1000");
        properties.put("parley.websocket.frame-burst", "1000");
        return properties;
    }

    /**
     * A browser whose page is exactly {@code width} × {@code height} CSS pixels (a phone below 500: headless
     * Chromium's windows are at least 500 wide, so the viewport is set through DevTools, as its device mode does).
     */
    static WebDriver browser(int width, int height) {
        WebDriver driver = Chromium.start(Math.max(width, 500), height + 100);
        drivers.add(driver);
        ((ChromeDriver) driver).executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", width < 700));
        return driver;
    }

    @AfterAll
    static void stop() {
        drivers.forEach(WebDriver::quit);
        for (AutoCloseable closeable : new AutoCloseable[] {viaNode0, viaNode1, node0, node1, services}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                System.err.println("ChatUiClusterIT: closing " + closeable + " failed: " + e);
            }
        }
    }

    @Test
    @Order(1)
    void twoUsersOnTwoNodesSignUpAndChatInOrderWithPresenceAndTyping() {
        alice.open().signUp("alice", PASSWORD);
        bob.open().signUp("bob", PASSWORD);
        assertThat(alice.node()).isEqualTo(NODE_0);
        assertThat(bob.node()).isEqualTo(NODE_1);
        alice.waitFor("empty", "Join a room");

        alice.join("lobby");
        alice.waitFor("empty", "No messages here yet. Say hello!");
        bob.join("lobby");
        alice.waitFor("presence", "bob");
        bob.waitFor("presence", "alice");
        assertThat(alice.text("presence")).isEqualTo("Online: alice (you), bob");
        assertThat(bob.text("presence")).isEqualTo("Online: bob (you), alice");

        // Only whitespace: Send stays disabled and Enter sends nothing.
        alice.type("   \u200b ");
        assertThat(alice.driver.findElement(By.id("send")).isEnabled()).isFalse();
        alice.type(Keys.ENTER.toString());
        assertThat(alice.pendingCount()).isZero();
        alice.driver.findElement(By.id("text")).clear();

        alice.sayConfirmed("hi bob");
        bob.waiting().until(d -> bob.messages().contains("hi bob"));
        bob.sayConfirmed("hi alice, how are you?");
        alice.waiting().until(d -> alice.messages().contains("hi alice, how are you?"));
        // From the keyboard: Enter sends.
        alice.type("fine, thanks" + Keys.ENTER);
        alice.waiting().until(d -> alice.messages().contains("fine, thanks") && alice.pendingCount() == 0);

        // Typing shows, and goes away the moment that user's message arrives.
        bob.type("here is my reply");
        alice.waitFor("typing", "bob is typing");
        bob.driver.findElement(By.id("send")).click();
        alice.waiting().until(d -> alice.messages().contains("here is my reply"));
        assertThat(alice.text("typing")).isEmpty();

        List<String> expected = List.of("hi bob", "hi alice, how are you?", "fine, thanks", "here is my reply");
        bob.waiting().until(d -> bob.messages().size() == expected.size());
        assertThat(alice.messages()).containsExactlyElementsOf(expected);
        assertThat(bob.messages()).containsExactlyElementsOf(expected);
        // Own messages look different and say "You"; the day is a separator, each time has its date.
        assertThat(alice.js("return [...document.querySelectorAll('#messages li.message.mine .text')].map(e => e.textContent);"))
                .isEqualTo(List.of("hi bob", "fine, thanks"));
        assertThat(alice.js("return [...document.querySelectorAll('#messages li.mine .from')].every(e => e.textContent === 'You');"))
                .isEqualTo(true);
        assertThat(alice.js("return document.querySelector('#messages li').className + ':' + document.querySelector('#messages li').textContent;"))
                .isEqualTo("day:Today");
        assertThat(alice.js("""
                return [...document.querySelectorAll('#messages li.message time')]
                    .every(t => !isNaN(Date.parse(t.dateTime)) && t.title.includes(String(new Date().getFullYear())));"""))
                .isEqualTo(true);
        alice.screenshot("01-two-users-chat");

        // After Leave, the room is gone and so is its presence: the next room's is shown.
        alice.join("scratch");
        alice.waitFor("presence", "alice (you)");
        assertThat(alice.text("presence")).isEqualTo("Online: alice (you)");
        alice.driver.findElement(By.id("leave")).click();
        alice.waitFor("room-title", "#lobby");
        assertThat(alice.badges()).doesNotContainKey("scratch");
        assertThat(alice.text("presence")).isEqualTo("Online: alice (you), bob");
    }

    @Test
    @Order(2)
    void aDirectConversationReachesTheOtherUserAtOnceAndNoOneElse() {
        // Carol signs up on her phone, first breaking the rules; the form says them in plain words.
        carol.open();
        assertThat(carol.driver.findElement(By.id("state")).isDisplayed()).as("a connection status before login").isFalse();
        assertThat(carol.text("username-rule")).contains("3 to 32 characters");
        assertThat(carol.text("password-rule")).contains("At least 8 characters");
        carol.screenshot("02-signup-form-phone");
        assertNoSeriousAccessibilityViolations(carol, "the sign-up form on a phone");
        carol.fillAuth("Carol!", PASSWORD, "signup");
        carol.waitFor("auth-error", "3 to 32 characters");
        assertThat(carol.text("auth-error")).doesNotContain("[").doesNotContain("{").doesNotContain("must match");
        carol.fillAuth("carol", "password", "signup");
        carol.waitFor("auth-error", "too common");
        carol.fillAuth("bob", PASSWORD, "signup");
        carol.waitFor("auth-error", "That user name is taken");
        carol.screenshot("03-signup-error-phone");
        carol.signUp("carol", PASSWORD);
        carol.join("lobby");

        bob.js("""
                window.__roomSeen = {};
                const note = () => { for (const b of document.querySelectorAll('#rooms button')) {
                    if (!(b.dataset.room in window.__roomSeen)) { window.__roomSeen[b.dataset.room] = Date.now(); } } };
                note();
                new MutationObserver(note).observe(document.getElementById('rooms'), { childList: true, subtree: true });""");
        alice.openDirect("bob");
        alice.waitFor("room-title", "@bob");
        alice.waitFor("empty", "No messages yet. Say hello to bob!");
        long sentAt = System.currentTimeMillis();
        alice.sayConfirmed("psst, a secret");
        bob.awaitUnread("dm:alice:bob", 1);
        long seenAfter = ((Number) bob.js("return window.__roomSeen['dm:alice:bob'];")).longValue() - sentAt;
        System.out.printf("ChatUiClusterIT: the direct conversation appeared in bob's room list %d ms after alice pressed Send%n", seenAfter);
        // Pushed (a room frame), not polled: bob's page asked GET /api/rooms once, when it loaded.
        assertThat(bob.js("return performance.getEntriesByType('resource').filter(e => e.name.endsWith('/api/rooms')).length;"))
                .isEqualTo(1L);
        bob.pick("dm:alice:bob");
        bob.waiting().until(d -> bob.messages().equals(List.of("psst, a secret")));
        bob.awaitUnread("dm:alice:bob", 0);
        bob.screenshot("04-direct-conversation");

        // Carol sees no trace of it, and may not read it.
        assertThat(carol.badges()).doesNotContainKey("dm:alice:bob");
        assertThat(carol.js("""
                return fetch('/api/rooms/' + encodeURIComponent('dm:alice:bob') + '/messages').then(r => r.status);"""))
                .isEqualTo(403L);
        assertThat(carol.driver.getPageSource()).doesNotContain("psst");

        // A conversation with nobody, or with oneself: said in plain words, nothing opened.
        alice.openDirect("nobody_here");
        alice.waitFor("side-error", "There is no user called “nobody_here”.");
        alice.driver.findElement(By.id("dm-user")).clear();
        alice.openDirect("alice");
        alice.waitFor("side-error", "That is you.");
        alice.driver.findElement(By.id("dm-user")).clear();
        assertThat(alice.badges().keySet()).containsExactlyInAnyOrder("lobby", "dm:alice:bob");
    }

    @Test
    @Order(3)
    void readStateFollowsTheUserToTheirOtherBrowserOnTheOtherNodeAndSurvivesAReload() {
        alice.join("news");
        alice2.open().logIn("alice", PASSWORD);
        assertThat(alice2.node()).isEqualTo(NODE_1);
        alice2.pick("news");
        alice2.waitFor("room-title", "#news");
        bob.pick("lobby");
        for (String text : List.of("The release notes are up.", "Has anyone tried the new drain command?",
                "It moved my sockets to the other node in ten seconds.")) {
            bob.sayConfirmed(text);
        }
        alice.awaitUnread("lobby", 3);
        alice2.awaitUnread("lobby", 3);
        alice2.screenshot("05-read-state-before");

        // Alice reads the lobby in her first browser: her second one, on the other node, follows.
        alice.pick("lobby");
        alice.waiting().until(d -> alice.messages().contains("It moved my sockets to the other node in ten seconds."));
        alice2.awaitUnread("lobby", 0);
        assertThat(alice.badges().get("lobby")).isZero();
        alice2.screenshot("06-read-state-after");

        alice.pick("news");
        bob.sayConfirmed("Lunch at noon?");
        bob.sayConfirmed("I will book a table.");
        alice.awaitUnread("lobby", 2);
        alice2.awaitUnread("lobby", 2);

        alice.driver.navigate().refresh();
        alice2.driver.navigate().refresh();
        alice.awaitConnected();
        alice2.awaitConnected();
        Map<String, Long> counts = Map.of("lobby", 2L, "news", 0L, "dm:alice:bob", 0L);
        alice.waiting().until(d -> alice.badges().equals(counts));
        alice2.waiting().until(d -> alice2.badges().equals(counts));
        // Each reopened the room it showed before the reload.
        assertThat(alice.text("room-title")).isEqualTo("#news");
        assertThat(alice2.text("room-title")).isEqualTo("#news");
    }

    @Test
    @Order(4)
    void scrollingUpLoadsOlderMessagesKeepsTheTopMessageInViewAndStopsAtTheFirst() {
        int total = 300;
        ParleyHttp http = new ParleyHttp(URI.create(node0.baseUrl()));
        http.signup("dave", PASSWORD);
        http.login("dave", PASSWORD);
        try (ParleyClient dave = http.clientBuilder().build()) {
            dave.connect().join();
            dave.join("archive").join();
            List<CompletableFuture<Long>> sends = new ArrayList<>();
            for (int i = 1; i <= total; i++) {
                sends.add(dave.send("archive", "archive message " + i + (i % 7 == 0 ? ", a longer one that takes two lines on a phone" : "")));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
        }
        List<String> all = IntStream.rangeClosed(1, total)
                .mapToObj(i -> "archive message " + i + (i % 7 == 0 ? ", a longer one that takes two lines on a phone" : "")).toList();

        alice.join("archive");
        alice.waiting().until(d -> alice.messages().size() == 50 && alice.messages().get(49).equals(all.get(total - 1)));
        // The reader scrolls to the top: the message there stays in view while older ones load above it.
        Object top = alice.js("""
                const scroller = document.getElementById('scroller');
                scroller.scrollTop = 0;
                return document.querySelector('#messages li.message').dataset.seq;""");
        assertThat(top).isEqualTo("251");
        alice.waiting().until(d -> alice.messages().size() == 100);
        assertThat(alice.js("""
                const scroller = document.getElementById('scroller').getBoundingClientRect();
                const item = document.querySelector('#messages li[data-seq="251"]').getBoundingClientRect();
                return item.top >= scroller.top - 1 && item.bottom <= scroller.bottom + 1 && item.top < scroller.top + 80;"""))
                .as("message 251, at the top before the load, is still at the top of the view").isEqualTo(true);
        alice.screenshot("07-history-loaded-above");

        // On up to the first message, and no further.
        new WebDriverWait(alice.driver, Duration.ofSeconds(60)).until(d -> alice.js("""
                document.getElementById('scroller').scrollTop = 0;
                return document.querySelectorAll('#messages li.message').length;""").equals((long) total)
                && alice.text("history-state").equals("This is the beginning of #archive."));
        assertThat(alice.messages()).containsExactlyElementsOf(all);
        assertThat(alice.js("""
                const scroller = document.getElementById('scroller');
                scroller.scrollTop = 0;
                scroller.dispatchEvent(new Event('scroll'));
                return document.getElementById('history-state').textContent;"""))
                .isEqualTo("This is the beginning of #archive.");
        // The newest page and five older ones: six requests, none once the first message was there.
        assertThat(alice.js("return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/rooms/archive/messages')).length;"))
                .isEqualTo(6L);
        alice.screenshot("08-history-beginning");
    }

    /** Words (of at most 40 characters) that the browser broke across two lines, though they fit on one. */
    static final String MID_WORD_BREAKS = """
            const broken = [];
            for (const el of document.querySelectorAll('#messages .text')) {
              const node = el.firstChild;
              if (!node) continue;
              const width = el.getBoundingClientRect().width;
              const words = /\\S+/g;
              let m;
              while ((m = words.exec(node.textContent))) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const rects = [...range.getClientRects()].filter(r => r.width > 0);
                const lines = new Set(rects.map(r => Math.round(r.top)));
                const wide = rects.reduce((sum, r) => sum + r.width, 0);
                if (lines.size > 1 && wide <= width) broken.push(m[0]);
              }
            }
            return broken;""";

    /** Whether an element is inside the viewport, wide enough, and the one a tap at its centre reaches. */
    static final String USABLE = """
            const el = document.getElementById(arguments[0]);
            const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight
                && r.width >= arguments[1] && r.height >= 24 && (hit === el || el.contains(hit));""";

    @Test
    @Order(5)
    void onAPhoneTheInputAndSendAreUsableNoWordBreaksAndTheRoomListIsADrawer() {
        bob.sayConfirmed("Internationalization considerations notwithstanding, comprehensive documentation of reconnection "
                + "behaviour is extraordinarily valuable: https://example.com/a/very/long/path/without/any/spaces/0123456789abcdef");
        carol.waiting().until(d -> carol.messages().stream().anyMatch(m -> m.startsWith("Internationalization")));
        assertThat(carol.js("return [window.innerWidth, window.innerHeight];")).isEqualTo(List.of(390L, 844L));
        assertThat(carol.js("return document.documentElement.scrollWidth <= window.innerWidth;")).as("no horizontal scrolling").isEqualTo(true);
        assertThat(carol.js(MID_WORD_BREAKS)).as("words broken mid-word").isEqualTo(List.of());
        assertThat(carol.js("""
                const style = getComputedStyle(document.querySelector('#messages .text'));
                return style.wordBreak + ' ' + style.overflowWrap;""")).isEqualTo("normal anywhere");
        // The long link is wider than the bubble: only it may break.
        assertThat(carol.js("""
                const el = [...document.querySelectorAll('#messages .text')].find(e => e.textContent.startsWith('Internationalization'));
                return el.getBoundingClientRect().right <= window.innerWidth;""")).isEqualTo(true);
        assertThat(carol.js("return getComputedStyle(document.getElementById('sidebar')).display;")).isEqualTo("none");
        carol.type("hello from my phone");
        assertThat(carol.js(USABLE, "text", 150)).as("the message input").isEqualTo(true);
        assertThat(carol.js(USABLE, "send", 44)).as("the Send button").isEqualTo(true);
        carol.driver.findElement(By.id("send")).click();
        carol.waiting().until(d -> carol.messages().contains("hello from my phone") && carol.pendingCount() == 0);
        carol.screenshot("chat-phone");

        // The room list is a drawer: opened from the header, closed by picking a room or by Escape.
        carol.driver.findElement(By.id("menu")).click();
        carol.waiting().until(d -> d.findElement(By.id("sidebar")).isDisplayed());
        assertThat(carol.js("const r = document.getElementById('sidebar').getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth;"))
                .isEqualTo(true);
        assertThat(carol.driver.findElement(By.cssSelector("#rooms button[data-room='lobby']")).isDisplayed()).isTrue();
        carol.screenshot("10-phone-room-list");
        carol.driver.findElement(By.id("join-room")).sendKeys("phones");
        carol.driver.findElement(By.cssSelector("#join-form button")).click();
        carol.waitFor("room-title", "#phones");
        assertThat(carol.driver.findElement(By.id("sidebar")).isDisplayed()).isFalse();
        carol.pick("lobby");
        carol.waitFor("room-title", "#lobby");
        assertThat(carol.driver.findElement(By.id("sidebar")).isDisplayed()).isFalse();
        carol.driver.findElement(By.id("menu")).click();
        carol.waiting().until(d -> d.findElement(By.id("sidebar")).isDisplayed());
        carol.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        carol.waiting().until(d -> !d.findElement(By.id("sidebar")).isDisplayed());
        assertThat(carol.driver.switchTo().activeElement().getDomAttribute("id")).isEqualTo("menu");
    }

    @Test
    @Order(6)
    void theChatViewHasNoSeriousOrCriticalAccessibilityViolations() {
        alice.pick("lobby");
        alice.waiting().until(d -> alice.messages().contains("I will book a table."));
        // Her other browser would read #news as it comes: it shows the lobby, as this one does.
        alice2.pick("lobby");
        bob.join("news");
        bob.sayConfirmed("Deploy at five, as agreed.");
        bob.pick("dm:alice:bob");
        bob.sayConfirmed("See you at the stand-up?");
        bob.pick("lobby");
        bob.type("I'm");
        alice.awaitUnread("news", 1);
        alice.awaitUnread("dm:alice:bob", 1);
        alice.screenshot("chat-desktop");
        bob.driver.findElement(By.id("text")).clear();
        assertNoSeriousAccessibilityViolations(alice, "the chat view at 1280×800");
        assertNoSeriousAccessibilityViolations(carol, "the chat view at 390×844");
        carol.driver.findElement(By.id("menu")).click();
        carol.waiting().until(d -> d.findElement(By.id("sidebar")).isDisplayed());
        assertNoSeriousAccessibilityViolations(carol, "the room list at 390×844");
        carol.driver.findElement(By.id("menu")).click();
    }

    static void assertNoSeriousAccessibilityViolations(ChatPage page, String what) {
        ChatPage.AxeResult axe = page.axe();
        System.out.printf("ChatUiClusterIT: axe on %s: %d rules passed, %d violated%n", what, axe.passed(), axe.violations().size());
        assertThat(axe.passed()).as("axe-core ran its rules").isPositive();
        List<Map<String, Object>> violations = axe.violations();
        violations.forEach(v -> System.out.printf("ChatUiClusterIT: axe on %s: %s (%s): %s %s%n", what, v.get("id"), v.get("impact"),
                v.get("help"), v.get("nodes")));
        assertThat(violations).as("serious or critical axe-core violations on %s", what)
                .filteredOn(v -> "serious".equals(v.get("impact")) || "critical".equals(v.get("impact"))).isEmpty();
    }

    @Test
    @Order(7)
    void whenTheNodeServingAPageIsKilledThePageReconnectsThroughTheOtherAndShowsWhatWasSentMeanwhileOnceInOrder() {
        bob.pick("lobby");
        alice.pick("lobby");
        List<String> before = bob.messages();
        assertThat(before).isEqualTo(alice.messages());
        bob.recordStates();
        alice2.recordStates();

        node1.kill();
        List<String> meanwhile = List.of("while node 1 was down: one", "two", "three", "four", "five");
        for (String text : meanwhile) {
            alice.sayConfirmed(text);
        }
        WebDriverWait reconnecting = new WebDriverWait(bob.driver, Duration.ofSeconds(90));
        reconnecting.until(d -> bob.recordedStates().stream().anyMatch(s -> s.startsWith("reconnecting"))
                && bob.state().equals("connected"));
        assertThat(bob.node()).isEqualTo(NODE_0);
        bob.waiting().until(d -> bob.messages().contains("five"));
        List<String> expected = new ArrayList<>(before);
        expected.addAll(meanwhile);
        assertThat(bob.messages()).as("every message once, in order").containsExactlyElementsOf(expected);
        assertThat(bob.recordedStates()).as("no reload: the page that recorded the states is the same").isNotEmpty();
        bob.screenshot("11-reconnected-through-node-0");

        new WebDriverWait(alice2.driver, Duration.ofSeconds(90)).until(d -> alice2.recordedStates().stream()
                .anyMatch(s -> s.startsWith("reconnecting")) && alice2.state().equals("connected"));
        assertThat(alice2.node()).isEqualTo(NODE_0);
    }
}
