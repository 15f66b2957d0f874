package io.parley.server.connection;

import org.apache.catalina.connector.Connector;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * Applies {@link ConnectionProperties} to Tomcat's connector: the accepted sockets' kernel send
 * buffer ({@code socket.txBufSize}, which Tomcat sets on each socket it accepts).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(Connector.class)
class TomcatSocketConfiguration {

    @Bean
    TomcatConnectorCustomizer parleySocketCustomizer(ConnectionProperties properties) {
        return connector -> {
            DataSize sendBuffer = properties.socketSendBuffer();
            if (sendBuffer != null && !connector.setProperty("socket.txBufSize", Long.toString(sendBuffer.toBytes()))) {
                throw new IllegalStateException("Tomcat's connector refused socket.txBufSize");
            }
        };
    }
}
