package io.parley.server.auth;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who administers this cluster: {@code parley.admins}, a comma-separated list of user names
 * (default: none, so nobody is an admin). Every node of a cluster must be given the same list.
 * Immutable; validated at construction: a name that cannot be an account's fails startup.
 *
 * @param admins the user names that get the {@code ADMIN} role (each {@code [a-z0-9_]{3,32}},
 *        surrounding blanks ignored)
 */
@ConfigurationProperties("parley")
public record AdminProperties(@DefaultValue List<String> admins) {

    private static final Pattern USER_NAME = Pattern.compile("[a-z0-9_]{3,32}");

    public AdminProperties {
        Set<String> names = new LinkedHashSet<>();
        for (String admin : admins) {
            String name = admin.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!USER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("parley.admins: '" + name + "' is not a user name ([a-z0-9_]{3,32})");
            }
            names.add(name);
        }
        admins = List.copyOf(names);
    }

    /** Whether {@code user} is listed. */
    public boolean isAdmin(String user) {
        return admins.contains(user);
    }
}
