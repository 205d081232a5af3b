package io.stowage.events.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The kinds of storage a backup can live on. */
public enum StorageType {
    @JsonProperty("s3") S3,
    @JsonProperty("filesystem") FILESYSTEM;

    /** The name used in configs and events. */
    public String wireName() {
        return this == S3 ? "s3" : "filesystem";
    }
}
