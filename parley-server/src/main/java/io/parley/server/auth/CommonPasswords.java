package io.parley.server.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The passwords attackers try first: the 10,000 most common ones of 8 characters or more, from a
 * public list shipped in this jar ({@value #RESOURCE}; its header names the source and licence).
 * Read once, at startup, never fetched at run time; about 1 MB of heap. Immutable, thread-safe.
 */
final class CommonPasswords {

    static final String RESOURCE = "common-passwords.txt";

    private final Set<String> passwords;

    private CommonPasswords(Set<String> passwords) {
        this.passwords = Set.copyOf(passwords);
    }

    static CommonPasswords load() {
        Set<String> passwords = new HashSet<>(16_384);
        try (InputStream in = CommonPasswords.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the common password list " + RESOURCE + " is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    passwords.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the common password list " + RESOURCE, e);
        }
        return new CommonPasswords(passwords);
    }

    /** Whether {@code password}, in lower case, is on the list: {@code Password1} is as common as {@code password1}. */
    boolean contains(String password) {
        return passwords.contains(password.toLowerCase(Locale.ROOT));
    }

    int size() {
        return passwords.size();
    }
}
