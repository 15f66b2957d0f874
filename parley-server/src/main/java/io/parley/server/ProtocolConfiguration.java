package io.parley.server;

import io.parley.protocol.FrameCodec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one protocol codec of this node, shared by every connection. */
@Configuration(proxyBeanMethods = false)
class ProtocolConfiguration {

    @Bean
    FrameCodec frameCodec() {
        return new FrameCodec();
    }
}
