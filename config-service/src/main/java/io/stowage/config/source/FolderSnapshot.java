package io.stowage.config.source;

import io.stowage.config.model.ConfigDocument;
import io.stowage.config.model.ConfigProblem;

import java.util.List;
import java.util.Set;

/**
 * The config folder as read at one moment.
 *
 * @param unreadable the files that could not be read or parsed: the clusters they held keep their applied config
 */
public record FolderSnapshot(List<ConfigDocument> documents, List<ConfigProblem> problems, Set<String> unreadable) {
}
