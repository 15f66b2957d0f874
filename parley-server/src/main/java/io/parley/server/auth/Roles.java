package io.parley.server.auth;

import java.util.List;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.stereotype.Component;

/**
 * The roles of a user, in one place for both ways of logging in. Every account has {@code USER};
 * the accounts listed in {@code parley.admins} ({@link AdminProperties}) also have {@code ADMIN}.
 * <ul>
 * <li>A session login gets its authorities at login ({@link AccountUserDetailsService}): they are
 * stored with the security context in the HTTP session.
 * <li>An access token carries no role: its authorities are derived from its subject each time a
 * node checks it (the {@code JwtAuthenticationConverter} of {@code io.parley.server.token}), so a
 * change of {@code parley.admins} applies to tokens already issued.
 * </ul>
 * What only admins may do ({@code /admin}, {@code /api/admin/**}, {@code /actuator/**} but health
 * and its probes) is decided by {@link #isAdmin(Authentication)}: the {@code ROLE_ADMIN} authority
 * <em>and</em> the user still listed, so a session that got the role before the user was removed
 * from the list (and the nodes restarted) is refused there at once. Thread-safe (immutable).
 */
@Component
public class Roles {

    public static final String USER = "USER";
    public static final String ADMIN = "ADMIN";

    private static final List<GrantedAuthority> USER_AUTHORITIES = AuthorityUtils.createAuthorityList("ROLE_" + USER);
    private static final List<GrantedAuthority> ADMIN_AUTHORITIES = AuthorityUtils.createAuthorityList("ROLE_" + USER, "ROLE_" + ADMIN);

    private final AdminProperties admins;

    public Roles(AdminProperties admins) {
        this.admins = admins;
    }

    /** The authorities of {@code user}: {@code ROLE_USER}, and {@code ROLE_ADMIN} when listed. */
    public List<GrantedAuthority> authoritiesOf(String user) {
        return admins.isAdmin(user) ? ADMIN_AUTHORITIES : USER_AUTHORITIES;
    }

    /** Whether this authentication may administer: it has {@code ROLE_ADMIN} and its user is listed now. */
    public boolean isAdmin(Authentication authentication) {
        return authentication.isAuthenticated() && admins.isAdmin(authentication.getName())
                && authentication.getAuthorities().stream().anyMatch(a -> ("ROLE_" + ADMIN).equals(a.getAuthority()));
    }
}
