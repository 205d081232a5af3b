package io.stowage.events.data;

/** Events on {@code stowage.storage}: topology changes and config rejections. */
public sealed interface StorageEvent extends StowageEvent permits StorageChanged, ConfigRejected {
}
