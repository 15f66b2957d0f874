package io.parley.server.connection;

import io.parley.protocol.FrameCodec;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
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
 * {@code parley.websocket.allowed-origins} (403 otherwise). Admission control comes first ({@link
 * AdmissionFilter}: 503 when the node is full), the per-user cap after authentication ({@link
 * UserConnectionLimit}: 429).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketConfiguration implements WebSocketConfigurer {

    private final ParleyWebSocketHandler handler;
    private final WebSocketProperties properties;
    private final UserConnectionLimit userLimit;

    WebSocketConfiguration(FrameHandler frames, OutboundQueues queues, Connections connections, FrameCodec codec,
            WebSocketProperties properties, Admission admission, ConnectionProperties connectionProperties) {
        this.handler = new ParleyWebSocketHandler(frames, queues, connections, codec, properties);
        this.properties = properties;
        this.userLimit = new UserConnectionLimit(admission, connectionProperties);
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        HttpSessionHandshakeInterceptor httpSession = new HttpSessionHandshakeInterceptor();
        httpSession.setCopyAllAttributes(false);
        registry.addHandler(handler, "/ws")
                .addInterceptors(userLimit, httpSession)
                .setAllowedOrigins(properties.allowedOrigins().toArray(String[]::new));
    }

    /** Before Spring Security ({@code SecurityFilterProperties.DEFAULT_FILTER_ORDER}): a refusal costs no session look-up. */
    @Bean
    FilterRegistrationBean<AdmissionFilter> admissionFilter(Admission admission, ConnectionProperties connectionProperties) {
        FilterRegistrationBean<AdmissionFilter> registration =
                new FilterRegistrationBean<>(new AdmissionFilter(admission, connectionProperties));
        registration.addUrlPatterns("/ws");
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 1);
        return registration;
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
