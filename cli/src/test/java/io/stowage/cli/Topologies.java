package io.stowage.cli;

import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Applied topologies for tests: an S3 storage {@code s3-us-west} and filesystem storages under /srv/backups. */
public final class Topologies {
    private Topologies() {
    }

    public static TopologyApplied applied(String cluster, long revision, String main, List<String> profiles) {
        Map<String, StorageSpec> storages = new LinkedHashMap<>();
        storages.put(main, storage(main, true));
        profiles.forEach(p -> storages.put(p, storage(p, false)));
        return new TopologyApplied(cluster, revision, main, profiles,
                new BackupConfigSpec(new PostgresSpec("127.0.0.1", 5432, "postgres", "pg-credentials", null, null, null),
                        new PitrSpec(true), storages), false, ".stowage/config/" + cluster + ".yaml");
    }

    public static StorageSpec storage(String name, boolean main) {
        if (name.startsWith("s3")) {
            return new StorageSpec(main, StorageType.S3, new S3Spec("backups", "us-west-2", null, null, true,
                    "s3-creds", null, null), null);
        }
        return new StorageSpec(main, StorageType.FILESYSTEM, null, new FilesystemSpec("/srv/backups/" + name, null));
    }
}
