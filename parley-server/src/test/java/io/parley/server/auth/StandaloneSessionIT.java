package io.parley.server.auth;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import gadgets.GadgetLog;
import io.parley.protocol.CloseCodes;
import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Standalone mode's HTTP sessions live in the embedded database: a node closed and started again on
 * the same data directory still knows every login (the old {@code SESSION} cookie answers 200 and
 * opens a WebSocket); they are stored as JSON; an admin's revocation finds and ends them; and a
 * session whose stored value Parley does not read is no session (401, never 500), without loading
 * the class it names.
 */
class StandaloneSessionIT {

    static final String PASSWORD = "correct horse";
    static final String ADMIN = "sa_admin";

    @TempDir
    static Path dataDir;
    static ParleyNode node;

    static ParleyNode start() {
        return ParleyNode.start(Map.of("parley.data-dir", dataDir.toString(), "parley.admins", ADMIN));
    }

    @BeforeAll
    static void startNode() {
        node = start();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static String sessionId(Browser browser) {
        return new String(Base64.getDecoder().decode(browser.cookie("SESSION").orElseThrow()), StandardCharsets.UTF_8);
    }

    static JdbcTemplate database() {
        return node.bean(JdbcTemplate.class);
    }

    @Test
    void aLoginSurvivesARestartOfTheNodeOnTheSameDataDirectory() {
        Browser ann = new Browser().loggedIn(node.baseUrl(), "restart_ann", PASSWORD);
        assertThat(ann.put(node.baseUrl() + "/api/session/attributes/theme", "\"dark\"").status()).isEqualTo(200);
        String cookie = ann.cookie("SESSION").orElseThrow();

        node.close();
        node = start();

        assertThat(ann.cookie("SESSION")).contains(cookie);
        Browser.Response me = ann.get(node.baseUrl() + "/api/me");
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.field("username")).isEqualTo("restart_ann");
        assertThat(ann.get(node.baseUrl() + "/api/session/attributes/theme").body()).isEqualTo("\"dark\"");
        try (RawSocket socket = RawSocket.open(node, ann)) {
            assertThat(socket.await("welcome").path("user").asString()).isEqualTo("restart_ann");
        }
    }

    @Test
    void sessionsAreStoredAsJsonWithTheSecurityContext() {
        Browser ben = new Browser().loggedIn(node.baseUrl(), "json_ben", PASSWORD);
        List<byte[]> values = database().queryForList("""
                SELECT a.attribute_bytes FROM spring_session_attributes a
                JOIN spring_session s ON s.primary_id = a.session_primary_id
                WHERE s.session_id = ? AND a.attribute_name = 'SPRING_SECURITY_CONTEXT'""", byte[].class, sessionId(ben));
        assertThat(values).hasSize(1);
        String json = new String(values.get(0), StandardCharsets.UTF_8);
        assertThat(json).startsWith("{")
                .contains("\"@class\":\"org.springframework.security.core.context.SecurityContextImpl\"")
                .contains("\"json_ben\"")
                .doesNotContain(PASSWORD);
        assertThat(database().queryForObject("SELECT principal_name FROM spring_session WHERE session_id = ?", String.class,
                sessionId(ben))).isEqualTo("json_ben");
    }

    @Test
    void anAdminsRevocationEndsEveryStandaloneSessionOfTheUserAndClosesTheirSocketWith1008() {
        Browser admin = new Browser().loggedIn(node.baseUrl(), ADMIN, PASSWORD);
        Browser laptop = new Browser().loggedIn(node.baseUrl(), "revoked_cy", PASSWORD);
        Browser phone = new Browser().loggedIn(node.baseUrl(), "revoked_cy", PASSWORD);
        try (RawSocket socket = RawSocket.open(node, laptop)) {
            socket.await("welcome");
            Browser.Response revoked = admin.post(node.baseUrl() + "/api/admin/users/revoked_cy/revoke", "");
            assertThat(revoked.status()).isEqualTo(200);
            assertThat(revoked.json().path("httpSessions").asInt()).isEqualTo(2);
            assertThat(socket.closed().orTimeout(15, java.util.concurrent.TimeUnit.SECONDS).join()).isEqualTo(CloseCodes.POLICY_VIOLATION);
        }
        assertThat(laptop.get(node.baseUrl() + "/api/me").status()).isEqualTo(401);
        assertThat(phone.get(node.baseUrl() + "/api/me").status()).isEqualTo(401);
        assertThat(admin.get(node.baseUrl() + "/api/me").status()).isEqualTo(200);
    }

    @Test
    void aJavaSerializedValueInAStoredSessionMakesItNoSessionNotAnError() throws Exception {
        Browser dee = new Browser().loggedIn(node.baseUrl(), "planted_dee", PASSWORD);
        ByteArrayOutputStream javaSerialized = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(javaSerialized)) {
            out.writeObject(new java.util.ArrayList<>(List.of("a Java-serialized value")));
        }
        plant(dee, "SPRING_SECURITY_CONTEXT", javaSerialized.toByteArray());
        assertTheSessionIsNoneButANewLoginWorks(dee, "planted_dee");
    }

    @Test
    void aValueNamingAnUnlistedClassIsRefusedWithoutLoadingIt() {
        Browser eli = new Browser().loggedIn(node.baseUrl(), "planted_eli", PASSWORD);
        plant(eli, "planted", "[\"io.parley.server.auth.SessionGadget\",{\"command\":\"x\"}]".getBytes(StandardCharsets.UTF_8));
        assertTheSessionIsNoneButANewLoginWorks(eli, "planted_eli");
        Browser fox = new Browser().loggedIn(node.baseUrl(), "planted_fox", PASSWORD);
        plant(fox, "SPRING_SECURITY_CONTEXT",
                "{\"@class\":\"gadgets.PlantedGadget\",\"command\":\"touch /tmp/pwned\"}".getBytes(StandardCharsets.UTF_8));
        assertTheSessionIsNoneButANewLoginWorks(fox, "planted_fox");
        assertThat(GadgetLog.events()).as("gadget classes loaded, constructed or set").isEmpty();
    }

    /** Writes raw bytes as one attribute of {@code browser}'s stored session, as someone with write access to the database would. */
    private static void plant(Browser browser, String attribute, byte[] value) {
        String primaryId = database().queryForObject("SELECT primary_id FROM spring_session WHERE session_id = ?", String.class,
                sessionId(browser));
        database().update("DELETE FROM spring_session_attributes WHERE session_primary_id = ? AND attribute_name = ?", primaryId, attribute);
        database().update("INSERT INTO spring_session_attributes (session_primary_id, attribute_name, attribute_bytes) VALUES (?, ?, ?)",
                primaryId, attribute, value);
    }

    private static void assertTheSessionIsNoneButANewLoginWorks(Browser browser, String user) {
        Browser.Response me = browser.get(node.baseUrl() + "/api/me");
        assertThat(me.status()).isEqualTo(401);
        assertThat(me.field("error")).isEqualTo("unauthorized");
        assertThat(me.body()).doesNotContain("Exception").doesNotContain("\tat ");
        String cookie = "SESSION=" + browser.cookie("SESSION").orElseThrow();
        assertThat(RawSocket.refusedStatus(node, b -> b.header("Cookie", cookie).header("Origin", node.baseUrl()))).isEqualTo(401);
        assertThat(browser.login(node.baseUrl(), user, PASSWORD).status()).isEqualTo(200);
        assertThat(browser.get(node.baseUrl() + "/api/me").field("username")).isEqualTo(user);
    }
}
