package io.parley.server.auth;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.validation.Valid;
import io.parley.server.connection.HttpSessionEnded;
import io.parley.server.web.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.authentication.session.SessionAuthenticationStrategy;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Accounts and login over JSON: {@code /api/signup}, {@code /api/login}, {@code /api/logout}, {@code /api/me}, {@code /api/csrf}. */
@RestController
class AuthController {

    private static final Logger log = LoggerFactory.getLogger(AuthController.class);

    private final Accounts accounts;
    private final AuthenticationManager authenticationManager;
    private final SessionAuthenticationStrategy sessionStrategy;
    private final SecurityContextRepository contexts;
    private final HttpSessionEnded sessionEnded;
    private final PasswordPolicy passwords;
    private final SecurityContextHolderStrategy holder = SecurityContextHolder.getContextHolderStrategy();

    AuthController(Accounts accounts, AuthenticationManager authenticationManager,
            SessionAuthenticationStrategy sessionStrategy, SecurityContextRepository contexts, HttpSessionEnded sessionEnded,
            PasswordPolicy passwords) {
        this.accounts = accounts;
        this.authenticationManager = authenticationManager;
        this.sessionStrategy = sessionStrategy;
        this.contexts = contexts;
        this.sessionEnded = sessionEnded;
        this.passwords = passwords;
    }

    /** The CSRF token to echo in {@code X-XSRF-TOKEN}; also sets the {@code XSRF-TOKEN} cookie. */
    @GetMapping("/api/csrf")
    Map<String, String> csrf(CsrfToken token) {
        return Map.of("token", token.getToken(), "headerName", token.getHeaderName());
    }

    /** Creates an account; a password that {@link PasswordPolicy} refuses is a 400 that says why. */
    @PostMapping("/api/signup")
    ResponseEntity<Map<String, String>> signup(@Valid @RequestBody Credentials credentials) {
        String username = String.valueOf(credentials.username());
        String password = String.valueOf(credentials.password());
        passwords.check(username, password);
        if (!accounts.create(username, password)) {
            throw new ApiException(HttpStatus.CONFLICT, "username_taken", "username is taken");
        }
        log.info("Account created for {}", username);
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("username", username));
    }

    @PostMapping("/api/login")
    Map<String, String> login(@Valid @RequestBody Credentials credentials, HttpServletRequest request, HttpServletResponse response) {
        Authentication authentication;
        try {
            authentication = authenticationManager.authenticate(
                    UsernamePasswordAuthenticationToken.unauthenticated(credentials.username(), credentials.password()));
        } catch (AuthenticationException e) {
            throw new ApiException(HttpStatus.UNAUTHORIZED, "bad_credentials", "wrong username or password");
        }
        sessionStrategy.onAuthentication(authentication, request, response);
        SecurityContext context = holder.createEmptyContext();
        context.setAuthentication(authentication);
        holder.setContext(context);
        contexts.saveContext(context, request, response);
        return Map.of("username", authentication.getName());
    }

    /**
     * Ends the HTTP session on every node (the session is deleted from its repository) and closes,
     * with 1008, every WebSocket opened with it, on whichever node. Idempotent.
     */
    @PostMapping("/api/logout")
    ResponseEntity<Void> logout(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            String id = session.getId();
            Authentication authentication = holder.getContext().getAuthentication();
            session.invalidate();
            if (authentication != null && !(authentication instanceof AnonymousAuthenticationToken)) {
                sessionEnded.httpSessionEnded(authentication.getName(), id);
            }
        }
        holder.clearContext();
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/api/me")
    Map<String, String> me(Authentication authentication) {
        return Map.of("username", authentication.getName());
    }
}
