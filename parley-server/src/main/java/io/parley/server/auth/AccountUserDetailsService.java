package io.parley.server.auth;

import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Service;

/** Loads users from {@link Accounts} for Spring Security. Every account has the single role USER. */
@Service
class AccountUserDetailsService implements UserDetailsService {

    private final Accounts accounts;

    AccountUserDetailsService(Accounts accounts) {
        this.accounts = accounts;
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        String hash = accounts.passwordHash(username).orElseThrow(() -> new UsernameNotFoundException("no such user"));
        return User.withUsername(username).password(hash).roles("USER").build();
    }
}
