package io.stowage.events.data;

/** The data of any Stowage event. Every event is about one cluster, which keys it on the bus. */
public sealed interface StowageEvent permits StorageEvent, TopologyEvent, BackupEvent, RestoreEvent, ResyncEvent, CatalogEvent,
        RejectionEvent {
    /** The cluster id ({@code namespace/name} in Kubernetes); may be null only for rejections of unreadable input. */
    String cluster();
}
