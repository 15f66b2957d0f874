package io.parley.server.auth;

import java.io.IOException;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import io.parley.server.web.ApiError;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.session.ChangeSessionIdAuthenticationStrategy;
import org.springframework.security.web.authentication.session.CompositeSessionAuthenticationStrategy;
import org.springframework.security.web.authentication.session.SessionAuthenticationStrategy;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfAuthenticationStrategy;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.savedrequest.NullRequestCache;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Security for a JSON API and one WebSocket endpoint.
 *
 * <ul>
 * <li>Login is {@code POST /api/login} with a JSON body (see {@link AuthController}); the security
 * context lives in the HTTP session, which Spring Session keeps in the embedded database or in Redis.</li>
 * <li>At login the session id changes (fixation protection) and the CSRF token is replaced.</li>
 * <li>CSRF: the token is in the {@code XSRF-TOKEN} cookie (readable by scripts) and every
 * state-changing request must echo it in {@code X-XSRF-TOKEN}, login and signup included.</li>
 * <li>Bearer tokens ({@code Authorization: Bearer}, see {@code io.parley.server.token}) are accepted on
 * every endpoint, with no session and no CSRF token; a bad one is 401 {@code invalid_token}.</li>
 * <li>Admins only ({@link Roles#isAdmin}): {@code /admin}, {@code /api/admin/**} and the actuator,
 * except {@code /actuator/health} (status only; details for admins) and its liveness and readiness
 * probes, which stay open for load balancers.</li>
 * <li>Failures are JSON: 401 {@code unauthorized}, 403 {@code csrf} or {@code forbidden}.</li>
 * <li>Every response carries {@link #CONTENT_SECURITY_POLICY} (scripts, styles and connections only
 * to this origin, nothing inline, no framing), {@code X-Content-Type-Options: nosniff}, {@code
 * X-Frame-Options: DENY} and {@code Referrer-Policy: no-referrer}; {@code Strict-Transport-Security}
 * only on a request that arrived over TLS (Spring Security's default: {@code request.isSecure()},
 * which behind a TLS-terminating proxy needs {@code server.forward-headers-strategy}).</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    /**
     * No {@code unsafe-inline} or {@code unsafe-eval}: the UI has no inline script, handler or style.
     * {@code connect-src 'self'} covers the WebSocket to this host ({@code ws:} from an {@code http:}
     * page, {@code wss:} from {@code https:}), as CSP Level 3 says and Chromium and Firefox do.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
            + "form-action 'self'";

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, CsrfTokenRepository csrfTokens,
            SecurityContextRepository contexts, JsonMapper json, Roles roles) throws Exception {
        http
                .csrf(csrf -> csrf
                        .csrfTokenRepository(csrfTokens)
                        // Plain (not XOR-masked) tokens: /api/csrf hands out the cookie's value, which the header echoes.
                        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
                        // A bearer token is not sent by the browser on its own, so it cannot be ridden cross-site;
                        // nor can a refresh token or a password in the body. A session asking for tokens keeps CSRF.
                        .ignoringRequestMatchers(SecurityConfiguration::isBearer, SecurityConfiguration::isTokenRequestWithoutSession)
                        .ignoringRequestMatchers("/api/tokens/refresh", "/api/tokens/revoke"))
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/api/signup", "/api/login", "/api/csrf", "/api/logout").permitAll()
                        .requestMatchers("/api/tokens", "/api/tokens/refresh", "/api/tokens/revoke", "/.well-known/jwks.json").permitAll()
                        // Load balancers: the probes, and the overall status (its details only for admins: application.yml).
                        .requestMatchers("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness").permitAll()
                        .requestMatchers("/admin", "/admin/**", "/api/admin/**", "/actuator/**")
                                .access((authentication, context) -> new AuthorizationDecision(roles.isAdmin(authentication.get())))
                        .requestMatchers("/api/**", "/ws").authenticated()
                        .anyRequest().permitAll())
                .securityContext(context -> context.securityContextRepository(contexts))
                // Authorization: Bearer <access token>, checked by the JwtDecoder of io.parley.server.token;
                // the resulting context lives in the request only, never in an HTTP session.
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .jwt(Customizer.withDefaults())
                        .authenticationEntryPoint((request, response, e) -> {
                            response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                            write(response, json, HttpServletResponse.SC_UNAUTHORIZED,
                                    new ApiError("invalid_token", "access token invalid or expired: refresh it"));
                        }))
                .sessionManagement(session -> session.sessionFixation(fixation -> fixation.changeSessionId()))
                .requestCache(cache -> cache.requestCache(new NullRequestCache()))
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint((request, response, e) ->
                                write(response, json, HttpServletResponse.SC_UNAUTHORIZED, new ApiError("unauthorized", "log in first")))
                        .accessDeniedHandler((request, response, e) -> write(response, json, HttpServletResponse.SC_FORBIDDEN,
                                e instanceof CsrfException
                                        ? new ApiError("csrf", "missing or invalid CSRF token: send the XSRF-TOKEN cookie's value in X-XSRF-TOKEN")
                                        : new ApiError("forbidden", "not allowed"))))
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)));
        return http.build();
    }

    static boolean isBearer(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7);
    }

    private static boolean isTokenRequestWithoutSession(HttpServletRequest request) {
        return "/api/tokens".equals(request.getServletPath()) && request.getRequestedSessionId() == null;
    }

    /**
     * Spring Security observes only authentications ({@code spring.security.authentications}: logins,
     * bearer checks), not every request's walk through the filter chain nor every authorization: those
     * two wrap each of the chain's filters in an observation. Measured in S6's ramp of 10,000 token
     * handshakes (docs/benchmarks.md, 2026-12-03): 5.9 → 5.3 ms of node CPU per connect. Request
     * timings stay in {@code http.server.requests}.
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.withDefaults().shouldObserveRequests(false).shouldObserveAuthorizations(false).build();
    }

    @Bean
    CsrfTokenRepository csrfTokenRepository() {
        CookieCsrfTokenRepository repository = CookieCsrfTokenRepository.withHttpOnlyFalse();
        repository.setCookieCustomizer(cookie -> cookie.sameSite("Lax"));
        return repository;
    }

    @Bean
    SecurityContextRepository securityContextRepository() {
        return new HttpSessionSecurityContextRepository();
    }

    /** What happens to the HTTP session at login: a new session id, and a new CSRF token. */
    @Bean
    SessionAuthenticationStrategy sessionAuthenticationStrategy(CsrfTokenRepository csrfTokens) {
        return new CompositeSessionAuthenticationStrategy(java.util.List.of(
                new ChangeSessionIdAuthenticationStrategy(),
                new CsrfAuthenticationStrategy(csrfTokens)));
    }

    /** BCrypt at {@code parley.passwords.bcrypt-cost} (10); hashes are stored as {@code {bcrypt}$2a$10$...}. */
    @Bean
    PasswordEncoder passwordEncoder(PasswordProperties passwords) {
        return new DelegatingPasswordEncoder("bcrypt", Map.of("bcrypt", new BCryptPasswordEncoder(passwords.bcryptCost())));
    }

    @Bean
    AuthenticationManager authenticationManager(UserDetailsService users, PasswordEncoder passwordEncoder) {
        DaoAuthenticationProvider provider = new DaoAuthenticationProvider(users);
        provider.setPasswordEncoder(passwordEncoder);
        return new ProviderManager(provider);
    }

    private static void write(HttpServletResponse response, JsonMapper json, int status, ApiError error) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        json.writeValue(response.getOutputStream(), error);
    }
}
