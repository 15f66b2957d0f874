package io.parley.server.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.session.MapSession;

import static org.assertj.core.api.Assertions.assertThat;

class IndexedMapSessionRepositoryTests {

    private final IndexedMapSessionRepository repository = new IndexedMapSessionRepository(new ConcurrentHashMap<>());

    private MapSession loggedIn(String user) {
        MapSession session = repository.createSession();
        session.setAttribute(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY, new SecurityContextImpl(
                UsernamePasswordAuthenticationToken.authenticated(user, null, AuthorityUtils.createAuthorityList("ROLE_USER"))));
        repository.save(session);
        return session;
    }

    @Test
    void findsEveryLiveSessionOfAUserAndNoOther() {
        MapSession first = loggedIn("alice");
        MapSession second = loggedIn("alice");
        loggedIn("bob");
        MapSession anonymous = repository.createSession();
        repository.save(anonymous);

        assertThat(repository.findByPrincipalName("alice")).containsOnlyKeys(first.getId(), second.getId());
        assertThat(repository.findByPrincipalName("carol")).isEmpty();
        assertThat(repository.findByIndexNameAndIndexValue("color", "alice")).isEmpty();

        repository.deleteById(first.getId());
        assertThat(repository.findByPrincipalName("alice")).containsOnlyKeys(second.getId());
        assertThat(repository.findById(first.getId())).isNull();
    }

    @Test
    void anExpiredSessionIsNotFound() {
        MapSession expired = loggedIn("alice");
        expired.setMaxInactiveInterval(Duration.ofSeconds(1));
        expired.setLastAccessedTime(Instant.now().minusSeconds(60));
        repository.save(expired);
        assertThat(repository.findByPrincipalName("alice")).isEmpty();
    }
}
