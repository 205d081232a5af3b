package io.stowage.events.spec;

/** A storage on a mounted filesystem: files go under {@code <path>/<prefix>}. */
public record FilesystemSpec(String path, String prefix) {
}
