package io.parley.server.auth;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.support.GenericConversionService;
import org.springframework.data.redis.serializer.GenericJacksonJsonRedisSerializer;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.data.redis.serializer.SerializationException;
import org.springframework.security.jackson.SecurityJacksonModules;
import org.springframework.session.MapSession;
import org.springframework.session.data.redis.RedisSessionMapper;
import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.DefaultTyping;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.cfg.MapperBuilder;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;
import tools.jackson.databind.module.SimpleModule;

/**
 * How a session attribute is stored (in Redis in cluster mode, in the embedded database in standalone
 * mode): JSON, with type ids checked against an allowlist; and what happens to a session that holds
 * anything else: it is no session.
 *
 * <p>Never Java serialization: with it, anyone who can write a Redis key (or a row of the session
 * table) can make every node
 * instantiate any class on the classpath. Here a value is read back only if its type is one of
 * {@link #JDK_VALUE_TYPES} or one of Spring Security's own (the security context, its
 * authentication, user and authorities, through {@link SecurityJacksonModules}); Parley stores no
 * type of its own in a session (the free-form attributes are JSON text in a {@code String}).
 *
 * <p>Two checks, in order. First by name, before any class is loaded: a type id outside {@link
 * #LOADABLE_PACKAGES} is refused unread, so no class of the application, of a library or of an
 * attacker's choosing is ever loaded, initialized (its static initializer run) or constructed because
 * a Redis value names it. (Jackson resolves a type id to a class, and initializes it, before its
 * validator judges the class, and Spring Data's serializer looks the {@code @class} of a document up
 * itself, before Jackson: without this check and {@link NoPreResolution}, an unlisted class's static
 * initializer runs.)
 * Second, Jackson's {@link BasicPolymorphicTypeValidator} with the allowlist, on the loaded class.
 *
 * <p>A value that is not such JSON — a Java-serialized object, a forbidden type id, malformed JSON —
 * reads as {@link Unreadable}, and {@link #sessionMapper()} turns a session holding one (or missing
 * or mistyping Spring Session's own fields) into no session: the request goes on as anonymous, a
 * protected endpoint or the WebSocket handshake answers 401, nothing answers 500. Thread-safe.
 */
final class SessionJson {

    private static final Logger log = LoggerFactory.getLogger(SessionJson.class);

    /**
     * The JDK types a session holds besides Spring Security's: attribute values and the
     * {@code Map} of changed attributes that Spring Session publishes with its session events.
     */
    private static final List<Class<?>> JDK_VALUE_TYPES = List.of(String.class, Boolean.class, Integer.class, Long.class,
            Double.class, HashMap.class, LinkedHashMap.class, ArrayList.class);

    /** The only packages from which a type id may load a class at all (the allowlist then decides). */
    static final List<String> LOADABLE_PACKAGES = List.of("java.lang.", "java.util.", "java.time.", "org.springframework.security.");

    /** What a session value that Parley refuses to read deserializes to; never written back. */
    record Unreadable(String reason) {
    }

    private SessionJson() {
    }

    static RedisSerializer<Object> serializer(ClassLoader loader) {
        BasicPolymorphicTypeValidator.Builder allowed = BasicPolymorphicTypeValidator.builder();
        for (Class<?> type : JDK_VALUE_TYPES) {
            allowed.allowIfSubType(type);
        }
        // Spring Security's modules add their types to the builder here, and activate default typing
        // with it when the mapper is built; the module after them activates it again, name check first.
        List<JacksonModule> modules = new ArrayList<>(SecurityJacksonModules.getModules(loader, allowed));
        modules.add(new NameCheckedTyping(new NameCheckedValidator(allowed.build())));
        JsonMapper mapper = JsonMapper.builder().addModules(modules).build();
        return new Serializer(new NoPreResolution(mapper));
    }

    /**
     * The same JSON for Spring Session JDBC (standalone mode): {@code Object -> byte[]} and {@code
     * byte[] -> Object}, an unreadable value read as {@link Unreadable} (which {@link
     * JsonJdbcSessionRepository} turns into no session).
     */
    static ConversionService conversionService(ClassLoader loader) {
        RedisSerializer<Object> json = serializer(loader);
        GenericConversionService conversions = new GenericConversionService();
        conversions.addConverter(Object.class, byte[].class, value -> json.serialize(value));
        conversions.addConverter(byte[].class, Object.class, bytes -> json.deserialize(bytes));
        return conversions;
    }

    /** Spring Session's mapping of a stored hash to a session, except that an unreadable one is no session (null). */
    static BiFunction<String, Map<String, Object>, @Nullable MapSession> sessionMapper() {
        RedisSessionMapper standard = new RedisSessionMapper();
        return (id, entries) -> {
            for (Object value : entries.values()) {
                if (value instanceof Unreadable unreadable) {
                    log.warn("A session in Redis holds a value Parley does not read ({}): treated as no session", unreadable.reason());
                    return null;
                }
            }
            try {
                return standard.apply(id, entries);
            } catch (IllegalStateException | ClassCastException e) {
                log.warn("A session in Redis lacks or mistypes a field of Spring Session ({}): treated as no session", e.getMessage());
                return null;
            }
        };
    }

    private static final class Serializer implements RedisSerializer<Object> {

        private final RedisSerializer<Object> json;

        Serializer(RedisSerializer<Object> json) {
            this.json = json;
        }

        @Override
        public byte @Nullable [] serialize(@Nullable Object value) {
            if (value instanceof Unreadable) {
                throw new SerializationException("an unreadable session value is never written back");
            }
            return json.serialize(value);
        }

        @Override
        public @Nullable Object deserialize(byte @Nullable [] bytes) {
            try {
                return json.deserialize(bytes);
            } catch (SerializationException e) {
                return new Unreadable(bytes != null && bytes.length > 1 && (bytes[0] & 0xff) == 0xAC && (bytes[1] & 0xff) == 0xED
                        ? "a Java-serialized object" : "not allowed JSON: " + firstLine(e.getMessage()));
            }
        }

        private static String firstLine(@Nullable String message) {
            if (message == null) {
                return "unreadable";
            }
            String line = message.lines().findFirst().orElse("");
            return line.length() > 200 ? line.substring(0, 200) + "..." : line;
        }
    }

    /**
     * Spring Data's serializer, except that it never resolves the document's {@code @class} itself:
     * its own look-up loads (and initializes) the named class before Jackson's validator sees it.
     * Reading as {@code Object} leaves the type id to Jackson, behind {@link NameCheckedValidator}.
     */
    private static final class NoPreResolution extends GenericJacksonJsonRedisSerializer {

        private final JsonMapper mapper;

        NoPreResolution(JsonMapper mapper) {
            super(mapper);
            this.mapper = mapper;
        }

        @Override
        protected JavaType resolveType(byte[] source, Class<?> type) {
            return mapper.constructType(type);
        }
    }

    /** Refuses, by name alone, a type id outside {@link #LOADABLE_PACKAGES}; otherwise asks the allowlist. */
    static final class NameCheckedValidator extends PolymorphicTypeValidator.Base {

        private static final long serialVersionUID = 1L;

        private final PolymorphicTypeValidator allowlist;

        NameCheckedValidator(PolymorphicTypeValidator allowlist) {
            this.allowlist = allowlist;
        }

        @Override
        public Validity validateBaseType(DatabindContext context, JavaType baseType) {
            return allowlist.validateBaseType(context, baseType);
        }

        @Override
        public Validity validateSubClassName(DatabindContext context, JavaType baseType, String subClassName) {
            if (!loadable(subClassName)) {
                return Validity.DENIED;
            }
            return allowlist.validateSubClassName(context, baseType, subClassName);
        }

        @Override
        public Validity validateSubType(DatabindContext context, JavaType baseType, JavaType subType) {
            return allowlist.validateSubType(context, baseType, subType);
        }

        static boolean loadable(String name) {
            String element = name;
            while (element.startsWith("[")) {
                element = element.substring(1);
            }
            if (element.length() == 1) {
                return "ZBCSIJFD".contains(element);
            }
            if (element.length() != name.length()) {
                if (!element.startsWith("L") || !element.endsWith(";")) {
                    return false;
                }
                element = element.substring(1, element.length() - 1);
            }
            for (String prefix : LOADABLE_PACKAGES) {
                if (element.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Activates Spring Security's default typing (as a property, {@code @class}) with the name check first. */
    private static final class NameCheckedTyping extends SimpleModule {

        private static final long serialVersionUID = 1L;

        private final PolymorphicTypeValidator validator;

        NameCheckedTyping(PolymorphicTypeValidator validator) {
            super(NameCheckedTyping.class.getName());
            this.validator = validator;
        }

        @Override
        public void setupModule(SetupContext context) {
            super.setupModule(context);
            ((MapperBuilder<?, ?>) context.getOwner()).activateDefaultTyping(validator, DefaultTyping.NON_FINAL, JsonTypeInfo.As.PROPERTY);
        }
    }
}
