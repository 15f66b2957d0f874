package io.parley.server.connection;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** What a handshake refused for the handshake rate is answered, through the real filter and admission. */
class AdmissionFilterTests {

    /** One handshake a second, a burst of one; refusals told to wait up to 4 s. */
    private static final ConnectionProperties ONE_PER_SECOND = new ConnectionProperties(1000, 10, 1.0, Duration.ofSeconds(4), null, 1, 1);

    private final Admission admission = new Admission(new Connections(), ONE_PER_SECOND, new SimpleMeterRegistry());
    private final AdmissionFilter filter = new AdmissionFilter(admission, ONE_PER_SECOND);

    @AfterEach
    void stop() {
        admission.destroy();
    }

    private MockHttpServletResponse handshake() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain() {
            @Override
            public void doFilter(jakarta.servlet.ServletRequest request, jakarta.servlet.ServletResponse res) {
                ((MockHttpServletResponse) res).setStatus(101);
            }
        };
        filter.doFilter(new MockHttpServletRequest("GET", "/ws"), response, chain);
        return response;
    }

    @Test
    void handshakesOverTheRateGet503AJsonErrorAndARetryAfterSpreadFromOneSecondToTheConfiguredOne() throws Exception {
        assertThat(handshake().getStatus()).as("the burst of one").isEqualTo(101);

        Set<String> retryAfters = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            MockHttpServletResponse refused = handshake();
            assertThat(refused.getStatus()).isEqualTo(503);
            assertThat(refused.getHeader("Connection")).isEqualTo("close");
            JsonNode body = JsonMapper.builder().build().readTree(refused.getContentAsString());
            assertThat(body.path("error").asString()).isEqualTo("unavailable");
            assertThat(body.path("message").asString()).contains("rate");
            retryAfters.add(refused.getHeader("Retry-After"));
        }
        assertThat(retryAfters).containsExactlyInAnyOrder("1", "2", "3", "4");
    }
}
