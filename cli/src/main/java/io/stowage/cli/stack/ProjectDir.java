package io.stowage.cli.stack;

import java.nio.file.Path;

/** The repository the services' jars are built in: {@code -Dstowage.root} (the launcher sets it), else here. */
public final class ProjectDir {
    public static final String PROPERTY = "stowage.root";

    private ProjectDir() {
    }

    public static Path fromDefault() {
        String configured = System.getProperty(PROPERTY);
        return (configured == null || configured.isBlank() ? Path.of("") : Path.of(configured))
                .toAbsolutePath().normalize();
    }
}
