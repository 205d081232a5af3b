package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where this module keeps its manifests, examples and invalid documents, and how tests read them. */
final class ModuleFiles {
    // Surefire runs in the module's folder, so these are the paths a reader of the repository sees.
    static final Path INSTALL = Path.of("install");
    static final Path EXAMPLES = Path.of("examples");
    static final Path INVALID = Path.of("src", "test", "resources", "invalid");
    static final Path CRD = INSTALL.resolve("010-CustomResourceDefinition-BackupConfig.yaml");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

    private ModuleFiles() {
    }

    /** The one YAML document in {@code file}, as a tree. */
    static JsonNode read(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The one Kubernetes resource in {@code file}, as Fabric8's typed model. */
    static HasMetadata resource(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return KUBERNETES.unmarshal(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static <T extends HasMetadata> T resource(Path file, Class<T> type) {
        return type.cast(resource(file));
    }

    /** The {@code .yaml} files of {@code folder} but its {@code kustomization.yaml}, sorted by name. */
    static List<Path> yamlFiles(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml"))
                    .filter(f -> !f.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
