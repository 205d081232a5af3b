package io.stowage.config.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.stowage.config.model.ConfigDocument;
import io.stowage.config.model.ConfigProblem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Reads the GitOps folder: every {@code .yaml}/{@code .yml} file below it, several documents per file. */
public final class ConfigFolder {
    private static final YAMLMapper YAML = new YAMLMapper();

    private final Path root;

    public ConfigFolder(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** True for a source (a topology record's origin) that is a file of this folder. */
    public boolean holds(String source) {
        return source != null && source.startsWith(root.toAbsolutePath().normalize() + "/");
    }

    /** Reads every config file now. Files are taken in path order, so the outcome does not depend on the disk. */
    public FolderSnapshot read() {
        List<ConfigDocument> documents = new ArrayList<>();
        List<ConfigProblem> problems = new ArrayList<>();
        Set<String> unreadable = new HashSet<>();
        for (Path file : configFiles()) {
            // Absolute: a topology record says which folder its cluster came from, so a service never removes a
            // cluster that another source (another folder, Kubernetes) applied.
            String source = file.toAbsolutePath().normalize().toString();
            try {
                documents.addAll(readFile(file, source));
            } catch (JsonProcessingException e) {
                unreadable.add(source);
                var at = e.getLocation();
                problems.add(new ConfigProblem(source, null, null, null, "not valid YAML"
                        + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                        + ": " + e.getOriginalMessage()));
            } catch (IOException e) {
                unreadable.add(source);
                problems.add(new ConfigProblem(source, null, null, null, "cannot be read: " + e.getMessage()));
            }
        }
        return new FolderSnapshot(documents, problems, unreadable);
    }

    private List<Path> configFiles() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .filter(ConfigFolder::isConfigFile)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the config folder " + root + ": " + e.getMessage(), e);
        }
    }

    static boolean isConfigFile(Path file) {
        String name = file.getFileName().toString();
        // Editors and atomic writers leave dot-files and backups beside the real file: they are not config.
        return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
    }

    private static List<ConfigDocument> readFile(Path file, String source) throws IOException {
        List<ConfigDocument> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            int index = 0;
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                index++;
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    documents.add(new ConfigDocument(source, index, node));
                }
            }
        }
        return documents;
    }
}
