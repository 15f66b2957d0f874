package io.parley.server.connection;

import java.util.ArrayList;
import java.util.List;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.Protocol;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;
import org.springframework.web.socket.server.support.HttpSessionHandshakeInterceptor;

/**
 * Registers {@code /ws}. The handshake needs an authenticated HTTP session or a valid bearer token
 * (Spring Security answers 401 otherwise, before any upgrade) and, for a cookie client, an Origin
 * that is this server's own or in {@code parley.websocket.allowed-origins} (403 otherwise; see
 * {@link CookieOriginCheck}). Admission control comes first ({@link AdmissionFilter}: 503 when the
 * node is full), the per-user cap after authentication ({@link UserConnectionLimit}: 429). Other
 * {@link HandshakeInterceptor} beans (the token package's) run after these, in their order.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketConfiguration implements WebSocketConfigurer {

    private final ParleyWebSocketHandler handler;
    private final WebSocketProperties properties;
    private final UserConnectionLimit userLimit;
    private final List<HandshakeInterceptor> extraInterceptors;

    WebSocketConfiguration(FrameHandler frames, OutboundQueues queues, Connections connections, FrameCodec codec,
            WebSocketProperties properties, Admission admission, ConnectionProperties connectionProperties,
            ObjectProvider<HandshakeInterceptor> extraInterceptors, ObjectProvider<CredentialWatch> credentials,
            Heartbeats heartbeats) {
        this.handler = new ParleyWebSocketHandler(frames, queues, connections, codec, properties,
                credentials.getIfAvailable(() -> CredentialWatch.NONE), heartbeats);
        this.properties = properties;
        this.userLimit = new UserConnectionLimit(admission, connectionProperties);
        this.extraInterceptors = extraInterceptors.orderedStream().toList();
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        HttpSessionHandshakeInterceptor httpSession = new HttpSessionHandshakeInterceptor();
        httpSession.setCopyAllAttributes(false);
        // A bearer handshake must not create an HTTP session (nor a Spring Session key in Redis).
        httpSession.setCreateSession(false);
        List<HandshakeInterceptor> interceptors = new ArrayList<>();
        interceptors.add(new CookieOriginCheck(properties.allowedOrigins()));
        interceptors.add(userLimit);
        interceptors.add(httpSession);
        interceptors.addAll(extraInterceptors);
        // A browser offering its token as a subprotocol gets parley.v1 selected, never the token.
        DefaultHandshakeHandler handshake = new LeanHandshakeHandler();
        handshake.setSupportedProtocols(Protocol.SUBPROTOCOL);
        registry.addHandler(handler, "/ws")
                .setHandshakeHandler(handshake)
                .addInterceptors(interceptors.toArray(HandshakeInterceptor[]::new))
                // Spring's own Origin check lets everything through; CookieOriginCheck does the checking.
                .setAllowedOriginPatterns("*");
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

    /** Without {@code parley.websocket.permessage-deflate}, no extension offer reaches the handshake ({@link ExtensionOfferFilter}). */
    @Bean
    @ConditionalOnProperty(name = "parley.websocket.permessage-deflate", havingValue = "false", matchIfMissing = true)
    FilterRegistrationBean<ExtensionOfferFilter> extensionOfferFilter() {
        FilterRegistrationBean<ExtensionOfferFilter> registration = new FilterRegistrationBean<>(new ExtensionOfferFilter());
        registration.addUrlPatterns("/ws");
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 2);
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
