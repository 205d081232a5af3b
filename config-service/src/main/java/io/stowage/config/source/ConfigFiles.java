package io.stowage.config.source;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The config files under a folder, links followed: git-sync makes the folder a link to a worktree it swaps, and a
 * Kubernetes ConfigMap volume makes every file a link into a hidden {@code ..data} folder. Hidden folders are not
 * entered, so such a volume's files are read once, through their links.
 *
 * @param files    {@code .yaml}/{@code .yml} files, in path order, each path under the folder as configured
 * @param dangling config file names that are links to nothing
 */
record ConfigFiles(List<Path> files, List<Path> dangling) {

    /**
     * Walks {@code root}; throws when it, or a folder under it, cannot be read: a partial listing would remove the
     * clusters of the files it missed.
     */
    static ConfigFiles under(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        List<Path> dangling = new ArrayList<>();
        Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                return !dir.equals(root) && isHidden(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (isConfigFile(file)) {
                    // Following links, a link whose target is missing comes with the link's own attributes.
                    (attributes.isSymbolicLink() ? dangling : files).add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof FileSystemLoopException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        files.sort(null);
        return new ConfigFiles(List.copyOf(files), List.copyOf(dangling));
    }

    /** Editors and atomic writers leave dot-files and backups beside the real file: they are not config. */
    static boolean isConfigFile(Path file) {
        String name = file.getFileName().toString();
        return !isHidden(file) && (name.endsWith(".yaml") || name.endsWith(".yml"));
    }

    /** A dot-file or dot-folder: an editor's temporary file, git-sync's worktrees, a ConfigMap's {@code ..data}. */
    static boolean isHidden(Path path) {
        return path.getFileName() != null && path.getFileName().toString().startsWith(".");
    }
}
