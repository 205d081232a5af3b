package io.stowage.events.spec;

/** How Stowage reaches a PostgreSQL cluster; the password is a secret name, never a value. */
public record PostgresSpec(
        String host,
        Integer port,
        String user,
        String passwordSecret,
        String dataDirectory,
        String binDirectory,
        String osUser) {
}
