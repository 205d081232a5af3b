package io.stowage.cli.demo;

import io.stowage.cli.stack.LocalPostgres;
import io.stowage.cli.stack.LocalS3;
import io.stowage.cli.stack.StowageHome;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The demo's BackupConfig: cluster {@code demo}, its PostgreSQL, and two storages, a folder ({@value #FS}) and the
 * local S3 server's bucket ({@value #S3}), one of them the main.
 */
public final class DemoConfig {
    public static final String CLUSTER = "demo";
    public static final String FS = "local-fs";
    public static final String S3 = "local-s3";
    private static final Set<String> STORAGES = Set.of(FS, S3);

    /** Where the demo's database is; without one (no backup-service yet), only a port and nulls. */
    public record Database(int port, String dataDirectory, String binDirectory, String osUser) {
        /** No database runs for the demo: the config still needs a postgres section. */
        public static final Database NONE = new Database(5432, null, null, null);

        boolean runs() {
            return dataDirectory != null;
        }
    }

    private final StowageHome home;
    private final Database database;
    private final String s3Endpoint;

    public DemoConfig(StowageHome home, Database database, String s3Endpoint) {
        this.home = home;
        this.database = database;
        this.s3Endpoint = s3Endpoint;
    }

    public Path file() {
        return home.config().resolve("demo.yaml");
    }

    /** The folder of the filesystem storage. */
    public Path fsPath() {
        return home.storages().resolve("fs");
    }

    public static String other(String storage) {
        return storage.equals(FS) ? S3 : FS;
    }

    PostgresSpec postgres() {
        return new PostgresSpec(LocalPostgres.HOST, database.port(), LocalPostgres.USER, null,
                database.dataDirectory(), database.binDirectory(), database.osUser());
    }

    StorageSpec storage(String name) {
        return name.equals(FS)
                ? new StorageSpec(null, StorageType.FILESYSTEM, null, new FilesystemSpec(fsPath().toString(), null))
                : new StorageSpec(null, StorageType.S3, new S3Spec(LocalS3.BUCKET, null, s3Endpoint, null, true,
                        LocalS3.SECRET, null, null), null);
    }

    /** Whether a topology has this demo's two storages, whatever their settings: then its main is kept. */
    public static boolean hasDemoStorages(TopologyApplied t) {
        return t != null && t.spec() != null && t.spec().storages() != null
                && t.spec().storages().keySet().equals(STORAGES) && STORAGES.contains(t.main());
    }

    /** Whether an applied topology is exactly this config (database and storages), whichever storage is the main. */
    public boolean isApplied(TopologyApplied t) {
        if (!hasDemoStorages(t) || !postgres().equals(t.spec().postgres())) {
            return false;
        }
        for (Map.Entry<String, StorageSpec> e : t.spec().storages().entrySet()) {
            StorageSpec want = storage(e.getKey());
            StorageSpec have = e.getValue();
            if (have.type() != want.type() || !Objects.equals(have.s3(), want.s3())
                    || !Objects.equals(have.filesystem(), want.filesystem())) {
                return false;
            }
        }
        return true;
    }

    /** The file's text with {@code main: true} on {@code main}. */
    public String yaml(String main) {
        StringBuilder pg = new StringBuilder()
                .append("    host: ").append(LocalPostgres.HOST).append('\n')
                .append("    port: ").append(database.port()).append('\n')
                .append("    user: ").append(LocalPostgres.USER).append('\n');
        if (database.runs()) {
            pg.append("    dataDirectory: ").append(quoted(database.dataDirectory())).append('\n')
                    .append("    binDirectory: ").append(quoted(database.binDirectory())).append('\n')
                    .append("    osUser: ").append(database.osUser()).append('\n');
        }
        return """
                # Written by `stowage demo`. Stowage's BackupConfig (CONTRACT.md section 1): the demo cluster, its
                # database and two storages. The main receives base backups and the WAL (PITR); the other is
                # a profile that receives base backups. Secrets are named, never written here.
                apiVersion: stowage.io/v1alpha1
                kind: BackupConfig
                metadata:
                  name: %s
                spec:
                  postgres:%s
                %s  pitr:
                    enabled: %s
                  storages:
                %s%s""".formatted(CLUSTER, database.runs() ? "" : "          # no database runs for the demo",
                pg, database.runs() ? "true        # continuous WAL archiving to the main storage"
                        : "false       # no database, no WAL", storageYaml(FS, main), storageYaml(S3, main));
    }

    /**
     * Writes the file atomically: a temp file (hidden, not {@code .yaml}, so config-service ignores it) renamed
     * over the old one, so config-service never reads half a file. Makes the filesystem storage's folder too.
     */
    public void write(String main) {
        try {
            Files.createDirectories(fsPath());
            Files.createDirectories(file().getParent());
            Path temp = file().resolveSibling(".demo.yaml.tmp");
            Files.writeString(temp, yaml(main));
            Files.move(temp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file(), e);
        }
    }

    private String storageYaml(String name, String main) {
        String role = name.equals(main) ? "      main: true\n" : "";
        if (name.equals(FS)) {
            return "    " + name + ":\n" + role
                    + "      type: filesystem\n"
                    + "      filesystem:\n"
                    + "        path: " + quoted(fsPath().toString()) + "\n";
        }
        return "    " + name + ":\n" + role
                + "      type: s3\n"
                + "      s3:\n"
                + "        bucket: " + LocalS3.BUCKET + "\n"
                + "        endpointUrl: " + quoted(s3Endpoint) + "\n"
                + "        forcePathStyle: true\n"
                + "        credentialsSecret: " + LocalS3.SECRET + "   # keys AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY\n";
    }

    /** A YAML double-quoted scalar: any path, spaces and colons included, stays one string. */
    static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
