package io.parley.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@link ParleyTokens} against a fake of the token endpoints: self-refresh, one refresh in flight, refusals. */
class ParleyTokensTests {

    private final FakeTokenServer server = newServer();
    private ParleyTokens tokens;

    private static FakeTokenServer newServer() {
        try {
            return new FakeTokenServer();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void close() {
        if (tokens != null) {
            tokens.close();
        }
        server.close();
    }

    @Test
    void badCredentialsAreAnHttpErrorWithTheServersCode() {
        assertThatThrownBy(() -> ParleyTokens.login(server.baseUri(), "alice", "wrong"))
                .isInstanceOfSatisfying(ParleyHttpException.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.error()).isEqualTo("bad_credentials");
                });
    }

    @Test
    void tokensRefreshThemselvesAfterTwoThirdsOfTheLifetimeAndTellTheListeners() {
        server.expiresIn = 3;
        tokens = ParleyTokens.login(server.baseUri(), "alice", "correct horse");
        String first = tokens.accessToken();
        List<String> announced = new CopyOnWriteArrayList<>();
        tokens.onRefreshed(announced::add);

        await().atMost(Duration.ofSeconds(10)).until(() -> announced.size() >= 1);
        assertThat(announced.get(0)).isNotEqualTo(first);
        assertThat(announced).contains(tokens.accessToken());
        assertThat(tokens.expiresAt()).isAfter(Instant.now());
    }

    @Test
    void concurrentRefreshesShareOneRequestSoTheRefreshTokenIsUsedOnce() {
        tokens = ParleyTokens.login(server.baseUri(), "alice", "correct horse");
        server.holdRefreshes();
        CompletableFuture<String> a = tokens.refresh();
        CompletableFuture<String> b = tokens.refresh();
        tokens.refreshBefore(tokens.expiresAt());
        await().atMost(Duration.ofSeconds(10)).until(() -> server.refreshes.get() == 1);
        server.releaseRefreshes();

        assertThat(a).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(tokens.accessToken());
        assertThat(b).isSameAs(a);
        assertThat(server.refreshes.get()).isEqualTo(1);
        assertThat(tokens.refresh()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(tokens.accessToken());
        assertThat(server.refreshes.get()).isEqualTo(2);
    }

    @Test
    void aConnectionReportingAnOlderExpiryGetsTheNewerTokenWithoutARefresh() {
        tokens = ParleyTokens.login(server.baseUri(), "alice", "correct horse");
        List<String> announced = new CopyOnWriteArrayList<>();
        tokens.onRefreshed(announced::add);

        tokens.refreshBefore(tokens.expiresAt().minusSeconds(60));

        assertThat(announced).containsExactly(tokens.accessToken());
        assertThat(server.refreshes.get()).isZero();
    }

    @Test
    void aRefusedRefreshFailsAndIsNotRetried() {
        tokens = ParleyTokens.login(server.baseUri(), "alice", "correct horse");
        server.revokeAll();

        assertThat(tokens.refresh()).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(ParleyHttpException.class, e -> assertThat(e.error()).isEqualTo("refresh_token_reused"));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> server.refreshes.get() == 1);
    }
}
