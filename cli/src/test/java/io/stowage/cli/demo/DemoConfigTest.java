package io.stowage.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.stowage.cli.stack.StowageHome;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DemoConfigTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path dir;

    @Test
    void theFileIsABackupConfigWithTwoFilesystemStoragesAndOneMain() throws Exception {
        DemoConfig config = new DemoConfig(new StowageHome(dir.resolve("home with space")));

        JsonNode doc = YAML.readTree(config.yaml(DemoConfig.FIRST));

        assertThat(doc.path("apiVersion").asText()).isEqualTo("stowage.io/v1alpha1");
        assertThat(doc.path("kind").asText()).isEqualTo("BackupConfig");
        assertThat(doc.path("metadata").path("name").asText()).isEqualTo("demo");
        assertThat(doc.path("spec").path("postgres").path("port").asInt()).isEqualTo(5432);
        assertThat(doc.path("spec").path("pitr").path("enabled").isBoolean()).isTrue();
        JsonNode storages = doc.path("spec").path("storages");
        assertThat(storages.path("local-a").path("main").asBoolean()).isTrue();
        assertThat(storages.path("local-b").has("main")).isFalse();
        assertThat(storages.path("local-b").path("type").asText()).isEqualTo("filesystem");
        assertThat(storages.path("local-b").path("filesystem").path("path").asText())
                .isEqualTo(dir.resolve("home with space").resolve("storages").resolve("b").toString());
    }

    @Test
    void writingMovesTheMainAtomicallyAndLeavesNoTempFile() throws Exception {
        StowageHome home = new StowageHome(dir).ensureLayout();
        DemoConfig config = new DemoConfig(home);

        config.write(DemoConfig.FIRST);
        config.write(DemoConfig.SECOND);

        JsonNode storages = YAML.readTree(config.file().toFile()).path("spec").path("storages");
        assertThat(storages.path("local-b").path("main").asBoolean()).isTrue();
        assertThat(storages.path("local-a").has("main")).isFalse();
        try (var files = Files.list(home.config())) {
            assertThat(files).containsExactly(config.file());
        }
        assertThat(config.storagePath(DemoConfig.FIRST)).isDirectory();
    }

    @Test
    void recognisesItsOwnAppliedTopologyWhicheverStorageIsTheMain() {
        DemoConfig config = new DemoConfig(new StowageHome(dir));
        Map<String, StorageSpec> storages = Map.of(
                "local-a", fs(config.storagePath("local-a")), "local-b", fs(config.storagePath("local-b")));

        assertThat(config.isApplied(new TopologyApplied("demo", 3, "local-b", List.of("local-a"),
                new BackupConfigSpec(null, null, storages), false, null))).isTrue();
        assertThat(config.isApplied(new TopologyApplied("demo", 3, "local-b", List.of("local-a"),
                new BackupConfigSpec(null, null, Map.of("local-b", fs(Path.of("/elsewhere")),
                        "local-a", fs(config.storagePath("local-a")))), false, null))).isFalse();
        assertThat(config.isApplied(null)).isFalse();
    }

    @Test
    void theOtherStorageIsTheNextMain() {
        assertThat(DemoConfig.other(DemoConfig.FIRST)).isEqualTo(DemoConfig.SECOND);
        assertThat(DemoConfig.other(DemoConfig.SECOND)).isEqualTo(DemoConfig.FIRST);
    }

    private static StorageSpec fs(Path path) {
        return new StorageSpec(null, StorageType.FILESYSTEM, null, new FilesystemSpec(path.toString(), null));
    }
}
