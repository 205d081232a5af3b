package io.stowage.config.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.stowage.config.model.ConfigDocument;
import io.stowage.config.model.ConfigProblem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the GitOps folder: every {@code .yaml}/{@code .yml} file below it (links followed, hidden folders skipped),
 * several documents per file.
 */
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

    /**
     * Reads every config file now. Files are taken in path order, so the outcome does not depend on the disk. A folder
     * that cannot be read (missing, unmounted, mid-swap) gives a snapshot that says so, not an empty one.
     */
    public FolderSnapshot read() {
        String folder = root.toAbsolutePath().normalize().toString();
        ConfigFiles listing;
        try {
            if (!Files.isDirectory(root)) {
                return FolderSnapshot.unavailable(new ConfigProblem(folder, null, null, null, "the config folder "
                        + (Files.exists(root, LinkOption.NOFOLLOW_LINKS) ? "is not a folder, or is a link to nothing"
                        : "does not exist") + " (unmounted, or replaced by a checkout?): the applied topology stays"
                        + " until it can be read"));
            }
            listing = ConfigFiles.under(root);
        } catch (IOException e) {
            return FolderSnapshot.unavailable(new ConfigProblem(folder, null, null, null, "the config folder cannot be"
                    + " read (" + e + "): the applied topology stays until it can be read"));
        }
        List<ConfigDocument> documents = new ArrayList<>();
        List<ConfigProblem> problems = new ArrayList<>();
        Set<String> unreadable = new HashSet<>();
        for (Path link : listing.dangling()) {
            String source = sourceOf(link);
            unreadable.add(source);
            problems.add(new ConfigProblem(source, null, null, null, "is a link to nothing: the clusters it held"
                    + " keep their applied config"));
        }
        for (Path file : listing.files()) {
            // Absolute: a topology record says which folder its cluster came from, so a service never removes a
            // cluster that another source (another folder, Kubernetes) applied.
            String source = sourceOf(file);
            try {
                List<ConfigDocument> read = readFile(file, source);
                if (read.isEmpty()) {
                    // A file truncated by its writer is empty for a moment: removing its clusters would stop backups.
                    unreadable.add(source);
                    problems.add(new ConfigProblem(source, null, null, null, "holds no document (empty, or caught"
                            + " while being written): the clusters it held keep their applied config; delete the"
                            + " file to remove them"));
                }
                documents.addAll(read);
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
        return new FolderSnapshot(documents, problems, unreadable, true);
    }

    /** The file's path under the folder as configured, not where its links lead: it stays the same across swaps. */
    private static String sourceOf(Path file) {
        return file.toAbsolutePath().normalize().toString();
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
