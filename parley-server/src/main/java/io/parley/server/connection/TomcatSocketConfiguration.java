package io.parley.server.connection;

import org.apache.catalina.connector.Connector;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;

/**
 * Applies {@link ConnectionProperties} to Tomcat's connector: the accepted sockets' kernel send
 * buffer ({@code socket.txBufSize}, which Tomcat sets on each socket it accepts), and a connection
 * limit that agrees with Parley's ({@link Admission#containerMaxConnections}): Tomcat's default of
 * 8,192 would leave connection 8,193 onwards hanging in the accept queue with no answer, and a
 * limit above the descriptors left would make {@code accept} fail with "Too many open files".
 * {@code server.tomcat.max-connections}, when set, wins. Spring Boot applies that property (8,192
 * when unset) with a connector customizer of its own, so Parley's is added by a factory customizer
 * ordered last: added after Boot's, it runs after it and its limit is the one Tomcat keeps.
 *
 * <p>And sizes the connector's per-socket read and write buffers ({@code socket.appReadBufSize},
 * {@code socket.appWriteBufSize}: 8 KB each by default) to {@code parley.websocket.socket-buffer-size}.
 * Tomcat allocates them when a socket opens and keeps them until it closes, whether data flows or
 * not. Chat frames are a few hundred bytes; a larger one is read or written in several passes.
 *
 * <p>And the WebSocket frame reader's and writer's buffers, three per socket, to {@code
 * parley.websocket.frame-buffer-size} (1 KB; Tomcat's default is 8 KB). Tomcat reads that size once
 * per JVM from the property {@value #FRAME_BUFFER_PROPERTY}, when its WebSocket classes load, so it is
 * set here, before the server starts, unless it was set already (then it wins, as it would anyway).
 * With the small buffer an inbound frame is read in parts; texts sent to clients do not pass through
 * it ({@link TomcatTextFrames}). Through Tomcat's {@code sendText} a text longer than the buffer
 * would go out as several fragments, which slowed deliveries to healthy sockets beside stalled ones.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(Connector.class)
class TomcatSocketConfiguration {

    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> parleySocketCustomizer(ConnectionProperties properties,
            @Value("${server.tomcat.max-connections:#{null}}") @Nullable Integer configuredMaxConnections) {
        TomcatConnectorCustomizer sockets = connector -> {
            int maxConnections = configuredMaxConnections != null ? configuredMaxConnections
                    : Admission.containerMaxConnections(FileDescriptors.limit());
            if (!connector.setProperty("maxConnections", Integer.toString(maxConnections))) {
                throw new IllegalStateException("Tomcat's connector refused maxConnections");
            }
            DataSize sendBuffer = properties.socketSendBuffer();
            if (sendBuffer != null && !connector.setProperty("socket.txBufSize", Long.toString(sendBuffer.toBytes()))) {
                throw new IllegalStateException("Tomcat's connector refused socket.txBufSize");
            }
        };
        return new LastCustomizer(sockets);
    }

    /** Adds its connector customizer after every other factory customizer has added theirs. */
    private record LastCustomizer(TomcatConnectorCustomizer connectorCustomizer)
            implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {

        @Override
        public void customize(ConfigurableTomcatWebServerFactory factory) {
            factory.addConnectorCustomizers(connectorCustomizer);
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    /** The JVM property Tomcat sizes its WebSocket frame buffers by (read once per JVM). */
    static final String FRAME_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

    @Bean
    TomcatConnectorCustomizer parleyBufferCustomizer(WebSocketProperties properties) {
        if (System.getProperty(FRAME_BUFFER_PROPERTY) == null) {
            System.setProperty(FRAME_BUFFER_PROPERTY, Long.toString(properties.frameBufferSize().toBytes()));
        }
        String size = Long.toString(properties.socketBufferSize().toBytes());
        return connector -> {
            if (!connector.setProperty("socket.appReadBufSize", size) || !connector.setProperty("socket.appWriteBufSize", size)) {
                throw new IllegalStateException("Tomcat's connector refused socket.appReadBufSize or socket.appWriteBufSize");
            }
        };
    }
}
