package io.stowage.resync.service;

import io.stowage.bus.TopologyCatchUp;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.TopologyApplied;
import io.stowage.resync.catalog.CatalogUpdates;
import io.stowage.resync.scan.StorageScan;
import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.NoSuchObjectException;
import io.stowage.storage.StorageLayout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checks a {@code backup.completed.v1} against each storage it names before the catalog lists the backup there: the
 * backup's manifest must be on the storage and say what the event says (id, cluster, LSNs, timeline, sizes). One
 * manifest read per storage; the objects themselves are a resync's business.
 */
public final class CompletedBackupCheck {

    /** What the check found on one storage. */
    public sealed interface Verdict {
        String storage();
    }

    /** The manifest bears the event out: the catalog entry, as a resync would list it. */
    public record Listed(String storage, CatalogBackup entry) implements Verdict {
    }

    /** The storage does not bear the event out: no manifest, or one that says otherwise. */
    public record Refused(String storage, String reason) implements Verdict {
    }

    /** The manifest could not be read (the storage did not answer): a resync can tell later. */
    public record Unread(String storage, String reason) implements Verdict {
    }

    private final Function<String, Optional<TopologyApplied>> topologies;
    private final TopologyCatchUp catchUp;
    private final Resyncs.StorageSource storages;

    public CompletedBackupCheck(Function<String, Optional<TopologyApplied>> topologies, TopologyCatchUp catchUp,
                                Resyncs.StorageSource storages) {
        this.topologies = topologies;
        this.catchUp = catchUp;
        this.storages = storages;
    }

    /** One verdict per storage the event names, in its order. */
    public List<Verdict> check(BackupCompleted c) {
        Optional<TopologyApplied> topology = topologies.apply(c.cluster());
        if (!namesAll(topology, c) && catchUp.caughtUp()) {
            // A backup can complete on a storage added a moment ago: the topology followed here may not hold it yet.
            topology = topologies.apply(c.cluster());
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (String storage : c.storages()) {
            verdicts.add(topology.isPresent() && topology.get().spec().storages().containsKey(storage)
                    ? check(c, topology.get(), storage)
                    : new Refused(storage, "cluster " + c.cluster() + " has no storage " + storage
                    + " in the applied topology"));
        }
        return verdicts;
    }

    private Verdict check(BackupCompleted c, TopologyApplied topology, String storage) {
        byte[] bytes;
        try (BackupStorage opened = storages.open(topology, storage)) {
            bytes = opened.readSmall(StorageLayout.manifest(c.backupId()));
        } catch (NoSuchObjectException e) {
            return new Refused(storage, "no " + StorageLayout.MANIFEST + " in backups/" + c.backupId() + "/");
        } catch (Exception e) {
            return new Unread(storage, "cannot read its " + StorageLayout.MANIFEST + ": " + e.getMessage());
        }
        BackupManifest manifest;
        try {
            manifest = BackupManifest.parse(bytes);
        } catch (IOException | RuntimeException e) {
            return new Refused(storage, StorageLayout.MANIFEST + " does not parse: " + e.getMessage());
        }
        List<String> differences = differences(c, manifest);
        if (!differences.isEmpty()) {
            return new Refused(storage, StorageLayout.MANIFEST + " does not match the event: "
                    + String.join("; ", differences));
        }
        return new Listed(storage, CatalogUpdates.listed(c.cluster(), storage, c.backupId(), manifest,
                StorageScan.sha256(bytes), List.of()));
    }

    /** Each field on which the manifest and the event disagree, both values named. */
    static List<String> differences(BackupCompleted c, BackupManifest m) {
        List<String> out = new ArrayList<>();
        compare(out, "backupId", m.backupId(), c.backupId());
        compare(out, "cluster", m.cluster(), c.cluster());
        compare(out, "startLsn", m.startLsn(), c.startLsn());
        compare(out, "stopLsn", m.stopLsn(), c.stopLsn());
        compare(out, "timeline", m.timeline(), c.timeline());
        compare(out, "sizeBytes", m.tarBytes(), c.sizeBytes());
        compare(out, "storedBytes", CatalogUpdates.storedBytes(m), c.storedBytes());
        return out;
    }

    private static void compare(List<String> out, String field, Object manifest, Object event) {
        if (!Objects.equals(manifest, event)) {
            out.add(field + " is " + manifest + " in the manifest, " + event + " in the event");
        }
    }

    private static boolean namesAll(Optional<TopologyApplied> topology, BackupCompleted c) {
        return topology.isPresent() && topology.get().spec().storages().keySet().containsAll(c.storages());
    }
}
