package io.stowage.cli.demo;

import io.stowage.cli.stack.StowageHome;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;

/** The demo's BackupConfig: cluster {@code demo} with two filesystem storages, one of them the main. */
public final class DemoConfig {
    public static final String CLUSTER = "demo";
    public static final String FIRST = "local-a";
    public static final String SECOND = "local-b";

    private final StowageHome home;

    public DemoConfig(StowageHome home) {
        this.home = home;
    }

    public Path file() {
        return home.config().resolve("demo.yaml");
    }

    public Path storagePath(String storage) {
        return home.storages().resolve(storage.equals(FIRST) ? "a" : "b");
    }

    public static String other(String storage) {
        return storage.equals(FIRST) ? SECOND : FIRST;
    }

    /** Whether an applied topology is this demo's (same two storages, same folders), whichever is the main. */
    public boolean isApplied(TopologyApplied t) {
        if (t == null || t.spec() == null || t.spec().storages() == null
                || !t.spec().storages().keySet().equals(Set.of(FIRST, SECOND))
                || !Set.of(FIRST, SECOND).contains(t.main())) {
            return false;
        }
        for (Map.Entry<String, StorageSpec> e : t.spec().storages().entrySet()) {
            StorageSpec spec = e.getValue();
            if (spec.type() != StorageType.FILESYSTEM || spec.filesystem() == null
                    || !storagePath(e.getKey()).toString().equals(spec.filesystem().path())) {
                return false;
            }
        }
        return true;
    }

    /** The file's text with {@code main: true} on {@code main}. */
    public String yaml(String main) {
        return """
                # Written by `stowage demo`. Stowage's BackupConfig (CONTRACT.md section 1): the demo cluster and
                # its two filesystem storages. The main receives base backups and WAL; the other is a profile.
                apiVersion: stowage.io/v1alpha1
                kind: BackupConfig
                metadata:
                  name: %s
                spec:
                  postgres:
                    host: 127.0.0.1
                    port: 5432
                    user: postgres
                  pitr:
                    enabled: false      # no database runs in the demo, so no WAL to archive
                  storages:
                %s%s""".formatted(CLUSTER, storage(FIRST, main), storage(SECOND, main));
    }

    /**
     * Writes the file atomically: a temp file (hidden, not {@code .yaml}, so config-service ignores it) renamed
     * over the old one, so config-service never reads half a file.
     */
    public void write(String main) {
        try {
            Files.createDirectories(storagePath(FIRST));
            Files.createDirectories(storagePath(SECOND));
            Files.createDirectories(file().getParent());
            Path temp = file().resolveSibling(".demo.yaml.tmp");
            Files.writeString(temp, yaml(main));
            Files.move(temp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file(), e);
        }
    }

    private String storage(String name, String main) {
        return "    " + name + ":\n"
                + (name.equals(main) ? "      main: true\n" : "")
                + "      type: filesystem\n"
                + "      filesystem:\n"
                + "        path: " + quoted(storagePath(name).toString()) + "\n";
    }

    /** A YAML double-quoted scalar: any path, spaces and colons included, stays one string. */
    static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
