package io.parley.server.auth;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class AdminPropertiesTests {

    @Test
    void namesAreTrimmedBlanksSkippedAndDuplicatesDropped() {
        AdminProperties admins = new AdminProperties(List.of(" alice", "bob ", "", "alice"));
        assertThat(admins.admins()).containsExactly("alice", "bob");
        assertThat(admins.isAdmin("alice")).isTrue();
        assertThat(admins.isAdmin("carol")).isFalse();
    }

    @Test
    void byDefaultNobodyIsAnAdmin() {
        assertThat(new AdminProperties(List.of()).isAdmin("admin")).isFalse();
    }

    @Test
    void aNameNoAccountCanHaveFailsWithThePropertyNamed() {
        assertThatIllegalArgumentException().isThrownBy(() -> new AdminProperties(List.of("alice", "Bob")))
                .withMessageContaining("parley.admins").withMessageContaining("'Bob'");
    }

    @Test
    void listedUsersGetRoleAdminBesidesRoleUser() {
        Roles roles = new Roles(new AdminProperties(List.of("alice")));
        assertThat(roles.authoritiesOf("alice")).map(GrantedAuthority::getAuthority).containsExactly("ROLE_USER", "ROLE_ADMIN");
        assertThat(roles.authoritiesOf("bob")).map(GrantedAuthority::getAuthority).containsExactly("ROLE_USER");
    }

    @Test
    void administeringNeedsTheRoleAndTheNameStillListed() {
        Roles roles = new Roles(new AdminProperties(List.of("alice")));
        assertThat(roles.isAdmin(UsernamePasswordAuthenticationToken.authenticated("alice", "", roles.authoritiesOf("alice")))).isTrue();
        // A session that got the role before alice was removed from the list:
        Roles later = new Roles(new AdminProperties(List.of()));
        assertThat(later.isAdmin(UsernamePasswordAuthenticationToken.authenticated("alice", "", roles.authoritiesOf("alice")))).isFalse();
        // Listed, but without the role (a login older than the listing):
        assertThat(roles.isAdmin(UsernamePasswordAuthenticationToken.authenticated("alice", "", roles.authoritiesOf("bob")))).isFalse();
    }
}
