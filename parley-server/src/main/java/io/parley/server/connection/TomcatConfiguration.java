package io.parley.server.connection;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Sizes Tomcat's per-socket buffers for a node that holds many idle WebSockets. Tomcat allocates
 * them when a socket opens and keeps them until it closes, whether data flows or not; at its
 * defaults they are about 40 KB per socket (8 KB each: the socket's read and write buffers, the
 * WebSocket frame reader's input buffer, the message encoder's and the frame writer's output
 * buffers), besides the text message buffer that {@link WebSocketConfiguration} sizes. Chat frames
 * are a few hundred bytes; a larger one is read or written in several passes of the same buffer.
 *
 * <ul>
 * <li>{@code socket.appReadBufSize}, {@code socket.appWriteBufSize}: the connector's socket buffers,
 * to {@code parley.websocket.socket-buffer-size}.
 * <li>The system property {@code org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE} (Tomcat's only way
 * to set the WebSocket reader's and writer's buffers, read once per JVM): set to the same size
 * unless the JVM was started with it.
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.apache.catalina.startup.Tomcat")
class TomcatConfiguration {

    static final String WEBSOCKET_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

    @Bean
    TomcatConnectorCustomizer smallSocketBuffers(WebSocketProperties properties) {
        String size = Long.toString(properties.socketBufferSize().toBytes());
        // Before the container starts: the WebSocket classes read it when they are first loaded.
        if (System.getProperty(WEBSOCKET_BUFFER_PROPERTY) == null) {
            System.setProperty(WEBSOCKET_BUFFER_PROPERTY, size);
        }
        return connector -> {
            connector.setProperty("socket.appReadBufSize", size);
            connector.setProperty("socket.appWriteBufSize", size);
        };
    }
}
