package io.parley.server.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.parley.protocol.CloseCodes;
import io.parley.server.cluster.NodeIdentity;
import io.parley.server.cluster.Registry;
import io.parley.server.support.Browser;
import io.parley.server.support.Chromium;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.TokenClient;
import io.parley.server.support.TwoNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The admin page and API on two cluster nodes (real Redis and PostgreSQL): the page, in headless
 * Chromium, shows both nodes with their connections; only admins reach the page and the API; an
 * admin's revocation closes the user's sockets on both nodes with 1008 and ends their logins.
 */
class AdminClusterIT {

    private static final String PASSWORD = "correct horse";
    private static final String ADMIN = "ops_admin";
    /** Where the page's screenshot is saved; docs/admin.png is a copy. */
    static final Path SCREENSHOT = Path.of("target", "admin.png");

    static TwoNodes cluster;
    static ParleyNode nodeA;
    static ParleyNode nodeB;
    final TokenClient tokens = new TokenClient();

    @BeforeAll
    static void start() {
        Map<String, String> properties = new HashMap<>();
        properties.put("parley.admins", ADMIN);
        properties.put("parley.websocket.frames-per-second", "1000");
        properties.put("parley.websocket.frame-burst", "1000");
        cluster = TwoNodes.start(properties);
        nodeA = cluster.a();
        nodeB = cluster.b();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String id(ParleyNode node) {
        return node.bean(NodeIdentity.class).id();
    }

    private static RawSocket joined(ParleyNode node, Browser browser, String room) {
        RawSocket socket = RawSocket.open(node, browser);
        socket.await("welcome");
        socket.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        socket.await("joined", "room", room);
        return socket;
    }

    /** connections per node id, as the page's table shows them. */
    private static Map<String, Integer> shownConnections(WebDriver driver) {
        // Read in one script, so a poll that re-renders the rows cannot happen between reading a row and its cell.
        @SuppressWarnings("unchecked")
        Map<String, Object> rows = (Map<String, Object>) ((JavascriptExecutor) driver).executeScript("""
                const shown = {};
                for (const row of document.querySelectorAll('#node-rows tr[data-node]')) {
                  shown[row.dataset.node] = row.querySelector('td.connections').dataset.value;
                }
                return shown;""");
        Map<String, Integer> shown = new HashMap<>();
        rows.forEach((node, value) -> shown.put(node, Integer.parseInt(String.valueOf(value))));
        return shown;
    }

    private static long polls(WebDriver driver) {
        return ((Number) ((JavascriptExecutor) driver).executeScript("return timeline.times.length;")).longValue();
    }

    @Test
    void thePageShowsBothNodesWithTheirConnectionsAndLiveChartsInChromium() throws IOException {
        assumeTrue(Chromium.available(), Chromium.MISSING);
        String room = "admin-" + UUID.randomUUID().toString().substring(0, 6);
        Browser alice = new Browser().loggedIn(nodeA.baseUrl(), "page_alice", PASSWORD);
        Browser bob = new Browser().loggedIn(nodeA.baseUrl(), "page_bob", PASSWORD);
        Browser admin = new Browser().loggedIn(nodeA.baseUrl(), ADMIN, PASSWORD);
        WebDriver driver = Chromium.start(1400, 1500);
        try (RawSocket a1 = joined(nodeA, alice, room); RawSocket a2 = joined(nodeA, alice, room);
                RawSocket a3 = joined(nodeA, bob, room); RawSocket b1 = joined(nodeB, bob, room)) {
            // The session cookie of the admin's login, as the browser would have it after logging in on the chat page.
            driver.get(nodeA.baseUrl() + "/api/csrf");
            driver.manage().addCookie(new Cookie.Builder("SESSION", admin.cookie("SESSION").orElseThrow())
                    .path("/").isHttpOnly(true).build());
            driver.get(nodeA.baseUrl() + "/admin");
            WebDriverWait waiting = new WebDriverWait(driver, Duration.ofSeconds(30));

            waiting.until(d -> {
                Map<String, Integer> shown = shownConnections(d);
                return shown.getOrDefault(id(nodeA), 0) >= 3 && shown.getOrDefault(id(nodeB), 0) >= 1;
            });
            assertThat(shownConnections(driver)).containsOnlyKeys(id(nodeA), id(nodeB));
            assertThat(driver.findElement(By.id("poll-state")).getText()).isEqualTo("live");

            // Some traffic for the charts over a few polls: every message reaches four sockets.
            for (int i = 0; i < 6; i++) {
                long before = polls(driver);
                a1.send("{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + UUID.randomUUID()
                        + "\",\"text\":\"load " + i + "\"}");
                waiting.until(d -> polls(d) > before);
            }
            waiting.until(d -> d.findElements(By.cssSelector("#charts .uplot canvas")).size() == 5);
            List<String> legend = driver.findElements(By.cssSelector("#charts .chart[data-chart=connections] .u-legend .u-label"))
                    .stream().map(WebElement::getText).toList();
            assertThat(legend).contains(id(nodeA), id(nodeB));
            assertThat(Integer.parseInt(driver.findElement(By.id("total-connections")).getText().replace(",", "")))
                    .isGreaterThanOrEqualTo(4);
            assertThat(driver.findElement(By.id("total-nodes")).getText()).isEqualTo("2");

            Files.createDirectories(SCREENSHOT.toAbsolutePath().getParent());
            Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOT,
                    StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
            assertThat(List.of(a1, a2, a3, b1)).allMatch(RawSocket::isOpen);
        } finally {
            driver.quit();
        }
    }

    @Test
    void theApiGivesEveryLiveNodesFiguresFromEitherNode() {
        Browser carol = new Browser().loggedIn(nodeA.baseUrl(), "api_carol", PASSWORD);
        Browser admin = new Browser().loggedIn(nodeA.baseUrl(), ADMIN, PASSWORD);
        // A node that died an hour ago left its entry behind: it is not shown, and is removed.
        String board = cluster.services().prefix() + ":admin:nodes";
        cluster.services().redis().hset(board, "ghost-node", "{\"node\":\"ghost-node\",\"at\":"
                + (System.currentTimeMillis() - 3_600_000) + ",\"connections\":7}");
        try (RawSocket onB = RawSocket.open(nodeB, carol)) {
            onB.await("welcome");
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                JsonNode view = admin.get(nodeA.baseUrl() + "/api/admin/nodes").json();
                return view.path("nodes").size() == 2 && connectionsOf(view, id(nodeB)) >= 1;
            });
            Browser.Response answer = admin.get(nodeB.baseUrl() + "/api/admin/nodes");
            assertThat(answer.status()).isEqualTo(200);
            JsonNode view = answer.json();
            assertThat(view.path("mode").asString()).isEqualTo("cluster");
            assertThat(view.path("node").asString()).isEqualTo(id(nodeB));
            assertThat(view.path("registeredNodes").asLong()).isEqualTo(2);
            assertThat(view.path("nodes").findValuesAsString("node")).containsExactlyInAnyOrder(id(nodeA), id(nodeB));
            assertThat(cluster.services().redis().hkeys(board)).containsExactlyInAnyOrder(id(nodeA), id(nodeB));
            for (JsonNode node : view.path("nodes")) {
                assertThat(node.path("connectionLimit").asInt()).isPositive();
                assertThat(node.path("fdMax").asLong()).isPositive();
                assertThat(node.path("fdOpen").asLong()).isPositive();
                assertThat(node.path("heapUsedBytes").asLong()).isPositive();
            }
        }
    }

    private static int connectionsOf(JsonNode view, String node) {
        for (JsonNode stats : view.path("nodes")) {
            if (node.equals(stats.path("node").asString())) {
                return stats.path("connections").asInt();
            }
        }
        return 0;
    }

    @Test
    void onlyAdminsReachThePageAndTheApi() {
        String base = nodeA.baseUrl();
        Browser anonymous = new Browser();
        assertThat(anonymous.get(base + "/admin").status()).isEqualTo(401);
        assertThat(anonymous.get(base + "/admin/admin.js").status()).isEqualTo(401);
        Browser.Response anonymousApi = anonymous.get(base + "/api/admin/nodes");
        assertThat(anonymousApi.status()).isEqualTo(401);
        assertThat(anonymousApi.field("error")).isEqualTo("unauthorized");

        Browser user = new Browser().loggedIn(base, "not_admin", PASSWORD);
        assertThat(user.get(base + "/admin").status()).isEqualTo(403);
        Browser.Response userApi = user.get(base + "/api/admin/nodes");
        assertThat(userApi.status()).isEqualTo(403);
        assertThat(userApi.field("error")).isEqualTo("forbidden");
        assertThat(user.post(base + "/api/admin/users/not_admin/revoke", "").status()).isEqualTo(403);
        String userToken = tokens.signedUp(base, "not_admin_bot", PASSWORD).field("accessToken");
        assertThat(tokens.get(base + "/api/admin/nodes", userToken).status()).isEqualTo(403);

        Browser admin = new Browser().loggedIn(base, ADMIN, PASSWORD);
        Browser.Response page = admin.get(base + "/admin");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(page.body()).contains("<script src=\"/admin/admin.js\" defer></script>").doesNotContain("<script>");
        assertThat(admin.get(base + "/admin/admin.js").status()).isEqualTo(200);
        assertThat(admin.get(base + "/webjars/uplot/dist/uPlot.iife.min.js").status()).isEqualTo(200);
        // An admin's access token works too: roles are derived from parley.admins when a token is checked.
        String adminToken = tokens.issue(base, ADMIN, PASSWORD).field("accessToken");
        assertThat(tokens.get(nodeB.baseUrl() + "/api/admin/nodes", adminToken).status()).isEqualTo(200);
    }

    @Test
    void revokingAUserClosesTheirSocketsOnBothNodesWith1008AndEndsTheirLogins() {
        String victim = "revoked_user";
        Browser browser = new Browser().loggedIn(nodeA.baseUrl(), victim, PASSWORD);
        Browser.Response issued = tokens.issue(nodeA.baseUrl(), victim, PASSWORD);
        Browser bystanderBrowser = new Browser().loggedIn(nodeA.baseUrl(), "bystander", PASSWORD);
        Browser admin = new Browser().loggedIn(nodeB.baseUrl(), ADMIN, PASSWORD);
        try (RawSocket cookieOnA = RawSocket.open(nodeA, browser); RawSocket cookieOnB = RawSocket.open(nodeB, browser);
                RawSocket tokenOnA = RawSocket.openWithBearer(nodeA, issued.field("accessToken"));
                RawSocket tokenOnB = RawSocket.openWithBearer(nodeB, issued.field("accessToken"));
                RawSocket bystanderOnA = RawSocket.open(nodeA, bystanderBrowser);
                RawSocket bystanderOnB = RawSocket.open(nodeB, bystanderBrowser)) {
            List<RawSocket> victims = List.of(cookieOnA, cookieOnB, tokenOnA, tokenOnB);
            victims.forEach(socket -> socket.await("welcome"));
            bystanderOnA.await("welcome");
            bystanderOnB.await("welcome");
            // The revocation is sent to the nodes the registry names.
            await().atMost(Duration.ofSeconds(20)).until(() -> nodeA.bean(Registry.class).nodesOf(victim).size() == 2);

            Browser.Response withoutCsrf = admin.postWithoutCsrf(nodeB.baseUrl() + "/api/admin/users/" + victim + "/revoke", "");
            assertThat(withoutCsrf.status()).isEqualTo(403);
            assertThat(withoutCsrf.field("error")).isEqualTo("csrf");
            assertThat(victims).allMatch(RawSocket::isOpen);

            Browser.Response revoked = admin.post(nodeB.baseUrl() + "/api/admin/users/" + victim + "/revoke", "");
            assertThat(revoked.status()).isEqualTo(200);
            assertThat(revoked.field("user")).isEqualTo(victim);
            assertThat(revoked.json().path("httpSessions").asInt()).isEqualTo(1);
            assertThat(revoked.json().path("tokenLogins").asInt()).isEqualTo(1);

            for (RawSocket socket : victims) {
                assertThat(socket.closed()).succeedsWithin(Duration.ofSeconds(20)).isEqualTo(CloseCodes.POLICY_VIOLATION);
            }
            Browser.Response refresh = tokens.refresh(nodeA.baseUrl(), issued.field("refreshToken"));
            assertThat(refresh.status()).isEqualTo(401);
            assertThat(refresh.field("error")).isEqualTo("invalid_refresh_token");
            assertThat(browser.get(nodeA.baseUrl() + "/api/me").status()).isEqualTo(401);
            assertThat(browser.get(nodeB.baseUrl() + "/api/me").status()).isEqualTo(401);
            assertThat(RawSocket.attempt(nodeB, browser).status()).isEqualTo(401);

            for (RawSocket bystander : List.of(bystanderOnA, bystanderOnB)) {
                bystander.send("{\"type\":\"ping\",\"id\":\"still-here\"}");
                bystander.await("pong", "id", "still-here");
                assertThat(bystander.isOpen()).isTrue();
            }
            assertThat(bystanderBrowser.get(nodeB.baseUrl() + "/api/me").field("username")).isEqualTo("bystander");
        }
    }

    @Test
    void revokingANameThatIsNoAccountIsAClearError() {
        Browser admin = new Browser().loggedIn(nodeA.baseUrl(), ADMIN, PASSWORD);
        Browser.Response unknown = admin.post(nodeA.baseUrl() + "/api/admin/users/nobody_here/revoke", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.field("error")).isEqualTo("not_found");
        Browser.Response invalid = admin.post(nodeA.baseUrl() + "/api/admin/users/X/revoke", "");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.field("error")).isEqualTo("bad_request");
        assertThat(invalid.body()).doesNotContain("Exception", "at io.");
    }
}
