package io.stowage.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.stowage.cli.stack.StowageHome;
import io.stowage.events.EventJson;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class DemoConfigTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String S3_ENDPOINT = "http://127.0.0.1:9000";

    @TempDir
    Path dir;

    private DemoConfig config(Path home, DemoConfig.Database database) {
        return new DemoConfig(new StowageHome(home), database, S3_ENDPOINT);
    }

    private DemoConfig.Database database() {
        return new DemoConfig.Database(54321, dir.resolve("pg data").toString(), "/usr/lib/postgresql/15/bin",
                "postgres");
    }

    @Test
    void theFileIsABackupConfigWithTheDatabaseAFolderAndTheS3Bucket() throws Exception {
        DemoConfig config = config(dir.resolve("home with space"), database());

        JsonNode doc = YAML.readTree(config.yaml(DemoConfig.FS));

        assertThat(doc.path("apiVersion").asText()).isEqualTo("stowage.io/v1alpha1");
        assertThat(doc.path("kind").asText()).isEqualTo("BackupConfig");
        assertThat(doc.path("metadata").path("name").asText()).isEqualTo("demo");
        JsonNode pg = doc.path("spec").path("postgres");
        assertThat(pg.path("host").asText()).isEqualTo("127.0.0.1");
        assertThat(pg.path("port").asInt()).isEqualTo(54321);
        assertThat(pg.path("user").asText()).isEqualTo("postgres");
        assertThat(pg.path("binDirectory").asText()).isEqualTo("/usr/lib/postgresql/15/bin");
        assertThat(pg.path("dataDirectory").asText()).isEqualTo(dir.resolve("pg data").toString());
        assertThat(doc.path("spec").path("pitr").path("enabled").isBoolean()).isTrue();
        JsonNode storages = doc.path("spec").path("storages");
        assertThat(storages.path("local-fs").path("main").asBoolean()).isTrue();
        assertThat(storages.path("local-fs").path("type").asText()).isEqualTo("filesystem");
        assertThat(storages.path("local-fs").path("filesystem").path("path").asText())
                .isEqualTo(dir.resolve("home with space").resolve("storages").resolve("fs").toString());
        JsonNode s3 = storages.path("local-s3");
        assertThat(s3.has("main")).isFalse();
        assertThat(s3.path("type").asText()).isEqualTo("s3");
        assertThat(s3.path("s3").path("bucket").asText()).isEqualTo("stowage");
        assertThat(s3.path("s3").path("endpointUrl").asText()).isEqualTo(S3_ENDPOINT);
        assertThat(s3.path("s3").path("forcePathStyle").asBoolean()).isTrue();
        assertThat(s3.path("s3").path("credentialsSecret").asText()).isEqualTo("local-s3");
    }

    @Test
    void withoutADatabaseThePostgresSectionIsAPlaceholder() throws Exception {
        JsonNode pg = YAML.readTree(config(dir, DemoConfig.Database.NONE).yaml(DemoConfig.S3))
                .path("spec").path("postgres");

        assertThat(pg.path("port").asInt()).isEqualTo(5432);
        assertThat(pg.has("binDirectory")).isFalse();
        assertThat(pg.has("dataDirectory")).isFalse();
    }

    @Test
    void writingMovesTheMainAtomicallyAndLeavesNoTempFile() throws Exception {
        StowageHome home = new StowageHome(dir).ensureLayout();
        DemoConfig config = new DemoConfig(home, database(), S3_ENDPOINT);

        config.write(DemoConfig.FS);
        config.write(DemoConfig.S3);

        JsonNode storages = YAML.readTree(config.file().toFile()).path("spec").path("storages");
        assertThat(storages.path("local-s3").path("main").asBoolean()).isTrue();
        assertThat(storages.path("local-fs").has("main")).isFalse();
        try (var files = Files.list(home.config())) {
            assertThat(files).containsExactly(config.file());
        }
        assertThat(config.fsPath()).isDirectory();
    }

    @Test
    void recognisesItsOwnConfigAsConfigServiceAppliesItWhicheverStorageIsTheMain() throws Exception {
        DemoConfig config = config(dir, database());

        for (String main : List.of(DemoConfig.FS, DemoConfig.S3)) {
            TopologyApplied applied = appliedFrom(config.yaml(main), main);
            assertThat(config.isApplied(applied)).as("main %s", main).isTrue();
            assertThat(DemoConfig.hasDemoStorages(applied)).isTrue();
        }
    }

    @Test
    void anotherPortEndpointOrFolderIsNotItsConfigButKeepsItsStorages() throws Exception {
        DemoConfig config = config(dir, database());
        TopologyApplied applied = appliedFrom(config.yaml(DemoConfig.S3), DemoConfig.S3);

        DemoConfig.Database moved = new DemoConfig.Database(54322, database().dataDirectory(),
                database().binDirectory(), database().osUser());
        assertThat(config(dir, moved).isApplied(applied)).isFalse();
        assertThat(new DemoConfig(new StowageHome(dir), database(), "http://127.0.0.1:9001").isApplied(applied))
                .isFalse();
        assertThat(config(dir.resolve("elsewhere"), database()).isApplied(applied)).isFalse();
        assertThat(DemoConfig.hasDemoStorages(applied)).isTrue();
    }

    @Test
    void theEarlierDemosTwoFolderStoragesAreNotItsStorages() {
        Map<String, StorageSpec> storages = Map.of("local-a", fs("/a"), "local-b", fs("/b"));
        TopologyApplied old = new TopologyApplied("demo", 3, "local-b", List.of("local-a"),
                new BackupConfigSpec(new PostgresSpec("127.0.0.1", 5432, "postgres", null, null, null, null), null,
                        storages), false, null);

        assertThat(DemoConfig.hasDemoStorages(old)).isFalse();
        assertThat(config(dir, DemoConfig.Database.NONE).isApplied(old)).isFalse();
        assertThat(DemoConfig.hasDemoStorages(null)).isFalse();
    }

    @Test
    void theOtherStorageIsTheNextMain() {
        assertThat(DemoConfig.other(DemoConfig.FS)).isEqualTo(DemoConfig.S3);
        assertThat(DemoConfig.other(DemoConfig.S3)).isEqualTo(DemoConfig.FS);
    }

    /** The topology config-service would apply for this YAML: its spec read as config-service reads it. */
    private static TopologyApplied appliedFrom(String yaml, String main) throws Exception {
        BackupConfigSpec parsed = EventJson.read(YAML.readTree(yaml).path("spec"), BackupConfigSpec.class);
        Map<String, StorageSpec> resolved = new TreeMap<>();
        parsed.storages().forEach((name, s) -> resolved.put(name, s.withMain(name.equals(main))));
        return new TopologyApplied("demo", 2, main, List.of(DemoConfig.other(main)),
                new BackupConfigSpec(parsed.postgres(), parsed.pitr(), resolved), false, "demo.yaml");
    }

    private static StorageSpec fs(String path) {
        return new StorageSpec(null, StorageType.FILESYSTEM, null, new FilesystemSpec(path, null));
    }
}
