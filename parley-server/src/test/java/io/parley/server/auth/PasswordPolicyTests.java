package io.parley.server.auth;

import java.util.List;

import io.parley.server.web.ApiException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.security.crypto.password.PasswordEncoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordPolicyTests {

    private static final CommonPasswords COMMON = CommonPasswords.load();
    private final PasswordPolicy policy = new PasswordPolicy(new PasswordProperties(10, 8), COMMON);

    @Test
    void theShippedListHasTenThousandPasswordsOfEightCharactersOrMore() {
        assertThat(COMMON.size()).isEqualTo(10_000);
        assertThat(COMMON.contains("password")).isTrue();
        assertThat(COMMON.contains("12345678")).isTrue();
    }

    @Test
    void commonPasswordsAreRefusedWhateverTheirCase() {
        for (String common : List.of("password", "Password1", "PASSWORD1", "12345678", "qwertyuiop", "iloveyou", "1qaz2wsx",
                "sunshine", "trustno1", "baseball")) {
            assertRefused(() -> policy.check("alice", common), "this password is too common");
        }
    }

    @Test
    void theTestsAndToolsPasswordsAreNotOnTheList() {
        for (String used : List.of("correct horse", "other password", "another password", "bench-password-1", "idle-password")) {
            policy.check("alice", used);
        }
    }

    @Test
    void lengthIsCountedInCharactersUpToSeventyTwoBytesOfUtf8() {
        assertRefused(() -> policy.check("alice", "short"), "password must be at least 8 characters");
        policy.check("alice", "xyz".repeat(24));
        assertRefused(() -> policy.check("alice", "v".repeat(73)), "password must be at most 72 bytes in UTF-8 (72 ASCII characters, fewer with accents or emoji)");
        // 25 emoji: 25 characters, 100 bytes.
        assertRefused(() -> policy.check("alice", "\uD83D\uDE00".repeat(25)), "password must be at most 72 bytes in UTF-8 (72 ASCII characters, fewer with accents or emoji)");
        // 8 emoji are 8 characters (16 UTF-16 units): long enough.
        policy.check("alice", "\uD83D\uDE00\uD83D\uDE01".repeat(4));
        PasswordPolicy stricter = new PasswordPolicy(new PasswordProperties(10, 12), COMMON);
        assertRefused(() -> stricter.check("alice", "eleven char"), "password must be at least 12 characters");
        stricter.check("alice", "twelve chars");
    }

    @Test
    void theUsernameIsNotAPassword() {
        assertRefused(() -> policy.check("longusername", "LongUserName"), "password must not be the username");
    }

    @Test
    void boundsOfTheProperties() {
        assertThatThrownBy(() -> new PasswordProperties(9, 8)).hasMessageContaining("parley.passwords.bcrypt-cost");
        assertThatThrownBy(() -> new PasswordProperties(32, 8)).hasMessageContaining("parley.passwords.bcrypt-cost");
        assertThatThrownBy(() -> new PasswordProperties(10, 7)).hasMessageContaining("parley.passwords.min-length");
        assertThatThrownBy(() -> new PasswordProperties(10, 73)).hasMessageContaining("parley.passwords.min-length");
    }

    @Test
    void theEncoderIsBcryptAtTheConfiguredCost() {
        PasswordEncoder encoder = new SecurityConfiguration().passwordEncoder(new PasswordProperties(11, 8));
        String hash = encoder.encode("correct horse");
        assertThat(hash).startsWith("{bcrypt}$2a$11$");
        assertThat(encoder.matches("correct horse", hash)).isTrue();
        assertThat(encoder.matches("correct horsf", hash)).isFalse();
        // A hash made before the cost was raised still verifies.
        String older = new SecurityConfiguration().passwordEncoder(new PasswordProperties(10, 8)).encode("correct horse");
        assertThat(encoder.matches("correct horse", older)).isTrue();
    }

    private static void assertRefused(Runnable check, String message) {
        assertThatThrownBy(check::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(e.code()).isEqualTo("bad_request");
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }
}
