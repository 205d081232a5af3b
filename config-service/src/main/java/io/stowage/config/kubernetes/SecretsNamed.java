package io.stowage.config.kubernetes;

import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Secrets a BackupConfig names, each with the field that names it and the keys the services read from it: S3
 * credentials ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}), a CA bundle ({@code ca.crt}), the
 * PostgreSQL password ({@code PASSWORD}). An S3 storage without {@code credentialsSecret} uses the default AWS
 * credentials chain and names none.
 */
public final class SecretsNamed {
    public static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    public static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
    public static final String CA_CERT = "ca.crt";
    public static final String PASSWORD = "PASSWORD";

    /** A Secret a field names, and the keys read from it. */
    public record Named(String field, String secret, List<String> keys) {
    }

    private SecretsNamed() {
    }

    public static List<Named> in(BackupConfigSpec spec) {
        List<Named> named = new ArrayList<>();
        if (spec.postgres() != null && spec.postgres().passwordSecret() != null) {
            named.add(new Named("spec.postgres.passwordSecret", spec.postgres().passwordSecret(), List.of(PASSWORD)));
        }
        if (spec.storages() != null) {
            for (Map.Entry<String, StorageSpec> storage : spec.storages().entrySet()) {
                S3Spec s3 = storage.getValue().s3();
                if (s3 == null) {
                    continue;
                }
                String at = "spec.storages." + storage.getKey() + ".s3.";
                if (s3.credentialsSecret() != null) {
                    named.add(new Named(at + "credentialsSecret", s3.credentialsSecret(),
                            List.of(ACCESS_KEY_ID, SECRET_ACCESS_KEY)));
                }
                if (s3.caBundleSecret() != null) {
                    named.add(new Named(at + "caBundleSecret", s3.caBundleSecret(), List.of(CA_CERT)));
                }
            }
        }
        return named;
    }
}
