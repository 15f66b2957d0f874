package io.parley.server.connection;

import io.parley.protocol.FrameCodec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import org.springframework.web.socket.server.support.HttpSessionHandshakeInterceptor;

/**
 * Registers {@code /ws}. The handshake needs an authenticated HTTP session (Spring Security answers
 * 401 otherwise, before any upgrade) and, from a browser, an Origin that is this server's own or in
 * {@code parley.websocket.allowed-origins} (403 otherwise).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketConfiguration implements WebSocketConfigurer {

    private final ParleyWebSocketHandler handler;
    private final WebSocketProperties properties;

    WebSocketConfiguration(FrameHandler frames, OutboundQueues queues, Connections connections, FrameCodec codec,
            WebSocketProperties properties) {
        this.handler = new ParleyWebSocketHandler(frames, queues, connections, codec, properties);
        this.properties = properties;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        HttpSessionHandshakeInterceptor httpSession = new HttpSessionHandshakeInterceptor();
        httpSession.setCopyAllAttributes(false);
        registry.addHandler(handler, "/ws")
                .addInterceptors(httpSession)
                .setAllowedOrigins(properties.allowedOrigins().toArray(String[]::new));
    }

    @Bean
    ServletServerContainerFactoryBean webSocketContainer() {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        // Allocated per socket when it opens and held while it is open: small. Larger text frames
        // arrive in parts, which the handler joins up to max-frame-size; binary ones are refused (1003).
        container.setMaxTextMessageBufferSize(properties.messageBufferSize());
        container.setMaxBinaryMessageBufferSize(128);
        return container;
    }
}
