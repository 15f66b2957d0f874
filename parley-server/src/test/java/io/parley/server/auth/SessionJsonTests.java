package io.parley.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.User;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionJsonTests {

    private final RedisSerializer<Object> serializer = SessionJson.serializer(getClass().getClassLoader());

    @Test
    void securityContextRoundTripsAsJson() {
        User alice = (User) User.withUsername("alice").password("secret").roles("USER").build();
        alice.eraseCredentials();
        var authentication = UsernamePasswordAuthenticationToken.authenticated(alice, null, alice.getAuthorities());
        SecurityContext context = new SecurityContextImpl(authentication);

        byte[] bytes = serializer.serialize(context);
        String json = new String(bytes, StandardCharsets.UTF_8);
        assertThat(json).startsWith("{").contains("\"alice\"").contains("ROLE_USER").doesNotContain("secret");

        SecurityContext back = (SecurityContext) serializer.deserialize(bytes);
        assertThat(back.getAuthentication().getName()).isEqualTo("alice");
        assertThat(back.getAuthentication().isAuthenticated()).isTrue();
        assertThat(back.getAuthentication().getAuthorities()).extracting(Object::toString).containsExactly("ROLE_USER");
    }

    @Test
    void valuesSpringSessionStoresRoundTripWithTheirTypes() {
        // creationTime and lastAccessedTime are epoch millis (Long), maxInactiveInterval seconds (Integer).
        for (Object value : List.of("text", 1_795_000_000_000L, 1800, true)) {
            assertThat(serializer.deserialize(serializer.serialize(value))).isEqualTo(value);
        }
    }

    @Test
    void sessionEventDeltaMapRoundTrips() {
        // RedisIndexedSessionRepository publishes the changed attributes as a Map with its "created" event.
        var delta = new java.util.HashMap<String, Object>();
        delta.put("creationTime", 1_795_000_000_000L);
        delta.put("maxInactiveInterval", 1800);
        delta.put("sessionAttr:parley.attr.x", "{\"a\":1}");
        assertThat(serializer.deserialize(serializer.serialize(delta))).isEqualTo(delta);
    }

    @Test
    void typesOutsideTheAllowlistAreRefused() {
        String gadget = "[\"java.net.URL\",\"http://127.0.0.1/\"]";
        assertThatThrownBy(() -> serializer.deserialize(gadget.getBytes(StandardCharsets.UTF_8))).isInstanceOf(RuntimeException.class);
        String gadget2 = "{\"@class\":\"java.util.concurrent.atomic.AtomicReference\",\"value\":1}";
        assertThatThrownBy(() -> serializer.deserialize(gadget2.getBytes(StandardCharsets.UTF_8))).isInstanceOf(RuntimeException.class);
    }
}
