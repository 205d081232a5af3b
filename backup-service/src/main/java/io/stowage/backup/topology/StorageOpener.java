package io.stowage.backup.topology;

import io.stowage.events.spec.StorageSpec;
import io.stowage.storage.BackupStorage;

import java.io.IOException;

/** Opens one storage of a cluster from its spec (secrets resolved by name). */
@FunctionalInterface
public interface StorageOpener {
    BackupStorage open(String cluster, String name, StorageSpec spec) throws IOException;
}
