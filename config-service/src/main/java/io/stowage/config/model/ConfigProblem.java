package io.stowage.config.model;

/**
 * Why a config document is refused: which file, which document, which field, and what to do.
 *
 * @param cluster  the cluster the document names, when it got that far
 * @param document the document's position in its file, from 1; null when the whole file is unreadable
 */
public record ConfigProblem(String source, Integer document, String cluster, String field, String reason) {

    /** One line for logs and screens. */
    public String describe() {
        return source + (document == null ? "" : " document " + document)
                + (cluster == null ? "" : " (cluster " + cluster + ")")
                + (field == null ? "" : ": " + field) + ": " + reason;
    }
}
