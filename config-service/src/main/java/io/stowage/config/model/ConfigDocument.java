package io.stowage.config.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One YAML document of the config folder (or one Kubernetes resource), as read, before validation.
 *
 * @param source the file path or resource name, as shown in rejections
 * @param index  the document's position in its file, from 1
 */
public record ConfigDocument(String source, int index, JsonNode node) {

    /** Where this document is, for messages: {@code pg1.yaml (document 2)}. */
    public String where() {
        return source + " (document " + index + ")";
    }
}
