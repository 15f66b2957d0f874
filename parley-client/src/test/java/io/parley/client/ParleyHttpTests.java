package io.parley.client;

import java.io.IOException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

class ParleyHttpTests {

    private final FakeParleyHttpServer server = new FakeParleyHttpServer();
    private final ParleyHttp http = new ParleyHttp(server.baseUri());

    ParleyHttpTests() throws IOException {
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void signsUpLogsInAndKeepsTheSessionCookie() {
        http.signup("alice", "correct horse");
        http.login("alice", "correct horse");

        assertThat(http.me()).isEqualTo("alice");
        assertThat(http.cookie("SESSION")).isPresent();
        assertThat(http.cookieHeader()).contains("SESSION=" + http.cookie("SESSION").orElseThrow());
        assertThat(http.clientBuilder().options().origin()).isEqualTo(server.baseUri().toString());
    }

    @Test
    void fetchesTheCsrfTokenBeforeTheFirstPostAndAgainAfterLoginRotatesIt() {
        http.signup("alice", "correct horse");
        http.login("alice", "correct horse");
        http.logout();

        assertThat(server.log).containsExactly(
                "GET /api/csrf 200", "POST /api/signup 201", "POST /api/login 200",
                "GET /api/csrf 200", "POST /api/logout 204");
    }

    @Test
    void logoutEndsTheSession() {
        http.signup("alice", "correct horse");
        http.login("alice", "correct horse");

        http.logout();

        assertThat(http.cookie("SESSION")).isEmpty();
        assertThatThrownBy(http::me).asInstanceOf(type(ParleyHttpException.class)).satisfies(e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.error()).isEqualTo("unauthorized");
        });
    }

    @Test
    void aPostRefusedForItsCsrfTokenIsRetriedOnceWithAFreshOne() {
        http.signup("alice", "correct horse");
        server.rotateCsrf();

        http.login("alice", "correct horse");

        assertThat(server.count("POST /api/login 403")).isEqualTo(1);
        assertThat(server.count("POST /api/login 200")).isEqualTo(1);
    }

    @Test
    void errorsCarryTheStatusAndTheServersJsonError() {
        http.signup("alice", "correct horse");

        assertThatThrownBy(() -> http.signup("alice", "another password"))
                .asInstanceOf(type(ParleyHttpException.class)).satisfies(e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.error()).isEqualTo("username_taken");
                    assertThat(e.serverMessage()).isEqualTo("alice is taken");
                    assertThat(e).hasMessage("POST /api/signup → HTTP 409 username_taken: alice is taken");
                });
        assertThatThrownBy(() -> http.login("alice", "wrong password"))
                .asInstanceOf(type(ParleyHttpException.class)).satisfies(e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.error()).isEqualTo("bad_credentials");
                });
        assertThatThrownBy(() -> http.signup("al", "short"))
                .asInstanceOf(type(ParleyHttpException.class)).extracting(ParleyHttpException::status).isEqualTo(400);
    }
}
