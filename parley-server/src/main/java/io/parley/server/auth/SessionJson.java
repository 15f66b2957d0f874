package io.parley.server.auth;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;

import org.springframework.data.redis.serializer.GenericJacksonJsonRedisSerializer;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.security.jackson.SecurityJacksonModules;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

/**
 * How a session attribute is written to Redis: JSON, with type ids checked against an allowlist.
 *
 * <p>Never Java serialization: with it, anyone who can write a Redis key can make every node
 * instantiate any class on the classpath. Here a value is read back only if its type is a JDK value
 * type, one of Spring Security's own (the security context, its authentication, user and authorities,
 * through {@link SecurityJacksonModules}) or a Parley type; anything else fails to deserialize.
 */
final class SessionJson {

    /**
     * The JDK types a session holds besides Spring Security's: attribute values and the
     * {@code Map} of changed attributes that Spring Session publishes with its session events.
     */
    private static final List<Class<?>> JDK_VALUE_TYPES = List.of(String.class, Boolean.class, Integer.class, Long.class,
            Double.class, HashMap.class, LinkedHashMap.class, ArrayList.class);

    private SessionJson() {
    }

    static RedisSerializer<Object> serializer(ClassLoader loader) {
        BasicPolymorphicTypeValidator.Builder allowed = BasicPolymorphicTypeValidator.builder()
                .allowIfSubType("io.parley.");
        for (Class<?> type : JDK_VALUE_TYPES) {
            allowed.allowIfSubType(type);
        }
        JsonMapper mapper = JsonMapper.builder()
                .addModules(SecurityJacksonModules.getModules(loader, allowed))
                .build();
        return new GenericJacksonJsonRedisSerializer(mapper);
    }
}
