package io.stowage.config.source;

import io.stowage.config.model.ConfigDocument;
import io.stowage.config.model.ConfigProblem;

import java.util.List;
import java.util.Set;

/**
 * The config folder as read at one moment.
 *
 * @param unreadable the files that could not be read or parsed, or held no document: the clusters they held keep their
 *                   applied config
 * @param readable   false when the folder itself could not be read (missing, unmounted): every cluster it applied
 *                   keeps its applied config
 */
public record FolderSnapshot(List<ConfigDocument> documents, List<ConfigProblem> problems, Set<String> unreadable,
                             boolean readable) {

    /** A folder that could not be read, and why. */
    static FolderSnapshot unavailable(ConfigProblem why) {
        return new FolderSnapshot(List.of(), List.of(why), Set.of(), false);
    }
}
