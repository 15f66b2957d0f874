package io.parley.server.auth;

import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Service;

/**
 * Loads users from {@link Accounts} for Spring Security, with their {@link Roles}: {@code USER}, and
 * {@code ADMIN} for the users listed in {@code parley.admins}.
 */
@Service
class AccountUserDetailsService implements UserDetailsService {

    private final Accounts accounts;
    private final Roles roles;

    AccountUserDetailsService(Accounts accounts, Roles roles) {
        this.accounts = accounts;
        this.roles = roles;
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        String hash = accounts.passwordHash(username).orElseThrow(() -> new UsernameNotFoundException("no such user"));
        return User.withUsername(username).password(hash).authorities(roles.authoritiesOf(username)).build();
    }
}
