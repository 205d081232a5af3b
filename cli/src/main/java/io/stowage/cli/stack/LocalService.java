package io.stowage.cli.stack;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One Stowage service as the local stack runs it: its runnable jar (relative to the project directory), its
 * HTTP port (health endpoints) and the settings only it needs.
 */
public record LocalService(String name, String jar, int httpPort, Function<StowageHome, Map<String, String>> ownSettings) {

    /**
     * Every service, in start order. A service runs once its jar is built, so a new service joins the local
     * stack by being built; nothing here needs to change.
     */
    public static final List<LocalService> ALL = List.of(
            new LocalService("config-service", quarkusJar("config-service"), 8081,
                    home -> Map.of("stowage.config.folder", home.config().toString())),
            new LocalService("backup-service", quarkusJar("backup-service"), 8082,
                    home -> Map.of("stowage.secrets-folder", home.secrets().toString(),
                            "stowage.wal.spool-folder", home.root().resolve("wal-spool").toString())),
            new LocalService("resync-service", quarkusJar("resync-service"), 8083,
                    home -> Map.of("stowage.secrets-folder", home.secrets().toString())),
            new LocalService("restore-service", quarkusJar("restore-service"), 8084,
                    home -> Map.of("stowage.secrets-folder", home.secrets().toString())));

    public static LocalService named(String name) {
        return ALL.stream().filter(s -> s.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name));
    }

    private static String quarkusJar(String module) {
        return module + "/target/quarkus-app/quarkus-run.jar";
    }
}
