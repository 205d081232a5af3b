package io.stowage.postgres;

import io.stowage.events.spec.PostgresSpec;

import java.nio.charset.StandardCharsets;

/** A cluster's password: the key {@code PASSWORD} of the secret its {@code spec.postgres.passwordSecret} names. */
public final class PasswordSecret {
    /** The key of the password in the secret (docs/events.md, {@code passwordSecret}). */
    public static final String KEY = "PASSWORD";

    /** Where secrets are read from: {@code io.stowage.storage.SecretSource::read} in the services. */
    @FunctionalInterface
    public interface Secrets {
        byte[] read(String secret, String key);
    }

    private PasswordSecret() {
    }

    /**
     * The password, without the line end a secret file usually has; null when the spec names no secret (the
     * server trusts the connection, or libpq finds the password elsewhere, e.g. in ~/.pgpass).
     */
    public static String read(PostgresSpec spec, Secrets secrets) {
        String secret = spec.passwordSecret();
        return secret == null ? null : new String(secrets.read(secret, KEY), StandardCharsets.UTF_8).trim();
    }
}
