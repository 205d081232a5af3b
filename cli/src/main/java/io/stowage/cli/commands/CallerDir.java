package io.stowage.cli.commands;

import java.nio.file.Path;

/**
 * The directory the user typed the command in. The launcher changes to the repository before it starts the JVM,
 * so a relative path the user typed is resolved here, not against the JVM's working directory.
 */
final class CallerDir {
    /** Set by the launcher before it changes directory. */
    static final String PROPERTY = "stowage.cwd";

    private CallerDir() {
    }

    static Path path() {
        String callerDir = System.getProperty(PROPERTY);
        return (callerDir == null ? Path.of("") : Path.of(callerDir)).toAbsolutePath();
    }

    /** {@code typed} as the user meant it: absolute ones as they are, relative ones from where the user was. */
    static Path resolve(Path typed) {
        return typed.isAbsolute() ? typed : path().resolve(typed).normalize();
    }
}
