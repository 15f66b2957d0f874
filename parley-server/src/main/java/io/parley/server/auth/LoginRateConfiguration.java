package io.parley.server.auth;

import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** Registers {@link LoginRateLimitFilter} on the password endpoints, ahead of Spring Security. */
@Configuration(proxyBeanMethods = false)
class LoginRateConfiguration {

    @Bean
    FilterRegistrationBean<LoginRateLimitFilter> loginRateLimitFilter(LoginRateLimit limit, JsonMapper json) {
        FilterRegistrationBean<LoginRateLimitFilter> registration = new FilterRegistrationBean<>(new LoginRateLimitFilter(limit, json));
        registration.addUrlPatterns("/api/login", "/api/signup", "/api/tokens");
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 3);
        return registration;
    }
}
