package io.stowage.postgres;

import io.stowage.events.spec.PostgresSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordSecretTest {

    private static PostgresSpec naming(String secret) {
        return new PostgresSpec("127.0.0.1", 5432, "stowage", secret, null, null, null);
    }

    @Test
    void thePasswordIsTheSecretsKeyPasswordWithoutItsLineEnd() {
        List<String> asked = new ArrayList<>();
        String password = PasswordSecret.read(naming("pg1-db"), (secret, key) -> {
            asked.add(secret + "/" + key);
            return " s3cr\u00e9t\n".getBytes(StandardCharsets.UTF_8);
        });

        assertThat(password).isEqualTo("s3cr\u00e9t");
        assertThat(asked).containsExactly("pg1-db/PASSWORD");
    }

    @Test
    void noSecretNamedMeansNoPasswordAndNoSecretRead() {
        assertThat(PasswordSecret.read(naming(null), (secret, key) -> {
            throw new AssertionError("no secret is named: nothing is read");
        })).isNull();
    }

    @Test
    void aMissingSecretFailsAsItsSourceSays() {
        assertThatThrownBy(() -> PasswordSecret.read(naming("gone"), (secret, key) -> {
            throw new IllegalStateException("secret " + secret + " has no key " + key);
        })).hasMessage("secret gone has no key PASSWORD");
    }
}
