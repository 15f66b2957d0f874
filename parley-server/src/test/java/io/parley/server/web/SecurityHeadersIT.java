package io.parley.server.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.parley.server.support.ParleyNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The security headers of the UI and the API, on a node behind a (pretend) TLS-terminating proxy:
 * {@code server.forward-headers-strategy=native} trusts {@code X-Forwarded-Proto} from a loopback
 * peer, as Tomcat's {@code RemoteIpValve} does from internal addresses. HSTS is sent only for a
 * request that arrived over TLS.
 */
class SecurityHeadersIT {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    @TempDir
    static Path dataDir;

    static ParleyNode node;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        node = ParleyNode.start(Map.of("parley.data-dir", dataDir.toString(), "server.forward-headers-strategy", "native"));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void assertHardened(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("Content-Security-Policy")).as(response.uri().toString()).hasValue(CSP);
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    }

    @Test
    void thePageItsScriptAndItsStylesheetAreServedWithTheStrictPolicy() {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script type=\"module\" src=\"/app.js\"></script>");
        assertHardened(page);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).doesNotContain("unsafe");

        // app.js and the modules it imports: a module script must come with a JavaScript type.
        for (String module : StaticUiTests.SCRIPTS) {
            HttpResponse<String> script = get("/" + module);
            assertThat(script.statusCode()).as(module).isEqualTo(200);
            assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("javascript"));
            assertHardened(script);
        }
        HttpResponse<String> styles = get("/app.css");
        assertThat(styles.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/css"));
        assertHardened(styles);
    }

    @Test
    void apiAnswersAndErrorsCarryTheSameHeaders() {
        HttpResponse<String> csrf = get("/api/csrf");
        assertThat(csrf.statusCode()).isEqualTo(200);
        assertHardened(csrf);
        HttpResponse<String> unauthorized = get("/api/me");
        assertThat(unauthorized.statusCode()).isEqualTo(401);
        assertHardened(unauthorized);
        HttpResponse<String> missing = get("/nothing-here.txt");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertHardened(missing);
    }

    @Test
    void strictTransportSecurityOnlyForARequestThatArrivedOverTls() {
        assertThat(get("/").headers().firstValue("Strict-Transport-Security")).isEmpty();
        assertThat(get("/api/csrf").headers().firstValue("Strict-Transport-Security")).isEmpty();

        HttpResponse<String> overTls = get("/", "X-Forwarded-Proto", "https");
        assertThat(overTls.statusCode()).isEqualTo(200);
        assertThat(overTls.headers().firstValue("Strict-Transport-Security"))
                .hasValueSatisfying(hsts -> assertThat(hsts).startsWith("max-age=31536000").contains("includeSubDomains"));
        assertHardened(overTls);
    }
}
