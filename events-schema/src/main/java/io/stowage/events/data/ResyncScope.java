package io.stowage.events.data;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which storages a resync covers when no single storage is named. */
public enum ResyncScope {
    @JsonProperty("all") ALL,
    @JsonProperty("main") MAIN
}
