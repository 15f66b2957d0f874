package io.parley.server.auth;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import gadgets.GadgetLog;

import org.junit.jupiter.api.Test;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.data.redis.serializer.SerializationException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.User;
import org.springframework.session.MapSession;

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
    void typesOutsideTheAllowlistReadAsUnreadable() {
        for (String gadget : List.of("[\"java.net.URL\",\"http://127.0.0.1/\"]",
                "{\"@class\":\"java.util.concurrent.atomic.AtomicReference\",\"value\":1}",
                "{\"@class\":\"javax.script.ScriptEngineManager\"}",
                "{\"@class\":\"org.springframework.context.support.ClassPathXmlApplicationContext\",\"configLocation\":\"http://x/\"}")) {
            assertThat(read(gadget)).as(gadget).isInstanceOf(SessionJson.Unreadable.class);
        }
    }

    @Test
    void anUnlistedClassNamedInAValueIsNeverLoadedNorConstructed() {
        List<String> planted = List.of(
                "{\"@class\":\"gadgets.PlantedGadget\",\"command\":\"touch /tmp/pwned\"}",
                "[\"gadgets.PlantedGadget\",{\"command\":\"touch /tmp/pwned\"}]",
                "[\"[Lgadgets.PlantedGadget;\",[{\"command\":\"x\"}]]",
                "{\"@class\":\"java.util.HashMap\",\"inner\":{\"@class\":\"gadgets.PlantedGadget\",\"command\":\"x\"}}",
                "[\"java.util.ArrayList\",[{\"@class\":\"gadgets.PlantedGadget\",\"command\":\"x\"}]]",
                // Parley's own package is not on the allowlist either: Parley stores no type of its own in a session.
                "{\"@class\":\"io.parley.server.auth.SessionGadget\",\"command\":\"x\"}",
                "{\"@class\":\"org.springframework.security.core.context.SecurityContextImpl\",\"authentication\":"
                        + "{\"@class\":\"gadgets.PlantedGadget\",\"command\":\"x\"}}");
        for (String json : planted) {
            assertThat(read(json)).as(json).isInstanceOf(SessionJson.Unreadable.class);
        }
        assertThat(GadgetLog.events()).as("gadget classes loaded, constructed or set").isEmpty();
    }

    @Test
    void aJavaSerializedValueReadsAsUnreadableAndIsNeverPassedToJavaDeserialization() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new java.util.ArrayList<>(List.of("x")));
        }
        assertThat(serializer.deserialize(bytes.toByteArray())).isEqualTo(new SessionJson.Unreadable("a Java-serialized object"));
        assertThat(read("{not json")).isInstanceOf(SessionJson.Unreadable.class);
        assertThatThrownBy(() -> serializer.serialize(new SessionJson.Unreadable("x"))).isInstanceOf(SerializationException.class);
    }

    @Test
    void onlyTheJdkAndSpringSecurityPackagesMayBeLoadedByName() {
        assertThat(SessionJson.NameCheckedValidator.loadable("java.lang.Long")).isTrue();
        assertThat(SessionJson.NameCheckedValidator.loadable("java.util.Collections$UnmodifiableSet")).isTrue();
        assertThat(SessionJson.NameCheckedValidator.loadable("org.springframework.security.core.userdetails.User")).isTrue();
        assertThat(SessionJson.NameCheckedValidator.loadable("[Ljava.lang.String;")).isTrue();
        assertThat(SessionJson.NameCheckedValidator.loadable("[J")).isTrue();
        for (String refused : List.of("gadgets.PlantedGadget", "[Lgadgets.PlantedGadget;", "io.parley.server.auth.SessionGadget",
                "org.springframework.context.support.ClassPathXmlApplicationContext", "javax.script.ScriptEngineManager",
                "com.sun.rowset.JdbcRowSetImpl", "java.langx.Evil", "[Q", "[Ljava.lang.String")) {
            assertThat(SessionJson.NameCheckedValidator.loadable(refused)).as(refused).isFalse();
        }
    }

    @Test
    void aStoredSessionWithAnUnreadableValueOrABadFieldIsNoSession() {
        var mapper = SessionJson.sessionMapper();
        Map<String, Object> good = new HashMap<>(Map.of("creationTime", 1_795_000_000_000L, "lastAccessedTime", 1_795_000_000_000L,
                "maxInactiveInterval", 1800, "sessionAttr:x", "y"));
        MapSession session = mapper.apply("id-1", good);
        assertThat(session).isNotNull();
        assertThat(session.<String>getAttribute("x")).isEqualTo("y");

        Map<String, Object> planted = new HashMap<>(good);
        planted.put("sessionAttr:SPRING_SECURITY_CONTEXT", new SessionJson.Unreadable("a Java-serialized object"));
        assertThat(mapper.apply("id-2", planted)).isNull();

        Map<String, Object> mistyped = new HashMap<>(good);
        mistyped.put("creationTime", "yesterday");
        assertThat(mapper.apply("id-3", mistyped)).isNull();

        Map<String, Object> missing = new HashMap<>(good);
        missing.remove("lastAccessedTime");
        assertThat(mapper.apply("id-4", missing)).isNull();
    }

    private Object read(String json) {
        return serializer.deserialize(json.getBytes(StandardCharsets.UTF_8));
    }
}
