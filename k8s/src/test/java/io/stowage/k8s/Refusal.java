package io.stowage.k8s;

import com.networknt.schema.ValidationMessage;

/**
 * Why a document is refused, in the words of an {@code # expect:} line: the JSON Schema keyword, the
 * JSON Pointer of the value, and for {@code required} or {@code additionalProperties} the property,
 * e.g. {@code required /spec/storages/archive/s3 bucket}.
 */
record Refusal(String keyword, String pointer, String property) {

    static Refusal of(ValidationMessage message) {
        String keyword = message.getType();
        boolean named = keyword.equals("required") || keyword.equals("additionalProperties");
        String pointer = message.getInstanceLocation().toString();
        return new Refusal(keyword, pointer.isEmpty() ? "/" : pointer, named ? message.getProperty() : null);
    }

    /** Parses {@code keyword pointer [property]}. */
    static Refusal parse(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("expected 'keyword pointer [property]': " + text);
        }
        return new Refusal(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    @Override
    public String toString() {
        return keyword + " " + pointer + (property == null ? "" : " " + property);
    }
}
