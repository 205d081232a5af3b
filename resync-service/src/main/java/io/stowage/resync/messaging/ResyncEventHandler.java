package io.stowage.resync.messaging;

import io.stowage.bus.ClusterTopologies;
import io.stowage.bus.RejectedEventException;
import io.stowage.bus.TopologyCatchUp;
import io.stowage.events.Envelope;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupDeleteRequested;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.ResyncFailed;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.ResyncScope;
import io.stowage.events.data.RetentionRequested;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.data.WalArchived;
import io.stowage.resync.retention.Expiries;
import io.stowage.resync.service.CatalogKeeper;
import io.stowage.resync.service.CompletedBackupCheck;
import io.stowage.resync.service.Countdown;
import io.stowage.resync.service.Resyncs;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What resync-service does with the events it consumes: resync requests (one storage, the main, or all), profiles
 * added to a topology (resynced), completed backups (listed once their manifest is checked, then the cluster's
 * retention applied), archived WAL (listed at once) and retention requests.
 */
public final class ResyncEventHandler {
    private static final Logger LOG = Logger.getLogger(ResyncEventHandler.class);


    private final ClusterTopologies topologies;
    private final TopologyCatchUp catchUp;
    private final Resyncs resyncs;
    private final CatalogKeeper keeper;
    private final CompletedBackupCheck check;
    private final String source;
    private final Expiries expiries;

    public ResyncEventHandler(ClusterTopologies topologies, TopologyCatchUp catchUp, Resyncs resyncs,
                              CatalogKeeper keeper, CompletedBackupCheck check, Expiries expiries, String source) {
        this.expiries = expiries;
        this.check = check;
        this.source = source;
        this.topologies = topologies;
        this.catchUp = catchUp;
        this.resyncs = resyncs;
        this.keeper = keeper;
    }

    /**
     * Handles one event; {@code settled} runs once its effect is on the bus (a resync's outcome published, a fact
     * written to the catalog, maybe after the resync its storage is in), so that a kill before loses nothing: the
     * event, not acknowledged, is delivered again.
     */
    public void handle(Envelope<StowageEvent> event, Runnable settled) throws RejectedEventException {
        handle(event, settled, Set.of());
    }

    /**
     * As {@link #handle(Envelope, Runnable)}; a resync request's {@code answered} storages are not resynced again, a
     * delete request's are not looked for again, and a request answered whole ({@code "-"}) is not run again.
     */
    public void handle(Envelope<StowageEvent> event, Runnable settled, Set<String> answered)
            throws RejectedEventException {
        StowageEvent data = event.data();
        if (data instanceof ResyncRequested r) {
            requested(event, r, settled, answered);
        } else if (data instanceof BackupCompleted c) {
            completed(event, c, settled);
        } else if (data instanceof RetentionRequested r) {
            if (answered.contains("-")) {
                LOG.infof("[%s] retention request %s answered already; not run again", event.correlationId(), event.id());
                settled.run();
            } else {
                expiries.requested(r.cluster(), event, settled);
            }
        } else if (data instanceof BackupDeleteRequested d) {
            if (answered.contains("-")) {
                LOG.infof("[%s] delete request %s answered already; not run again", event.correlationId(), event.id());
                settled.run();
            } else {
                expiries.delete(d, event, settled, answered);
            }
        } else if (data instanceof WalArchived a) {
            keeper.archived(event, a, settled);
        } else if (data instanceof StorageChanged c && c.change() == StorageChange.PROFILE_ADDED) {
            resyncs.request(c.cluster(), c.storage(), event, settled);
        } else {
            settled.run();
        }
    }

    /**
     * Lists a completed backup where its manifest bears the event out. Where it does not, the backup is not listed and
     * the event is refused with the reason per storage ({@code event.rejected.v1}); where the manifest could not be
     * read, the storage is resynced, which lists what is really there once the storage answers.
     */
    private void completed(Envelope<StowageEvent> event, BackupCompleted c, Runnable settled)
            throws RejectedEventException {
        List<CatalogBackup> listed = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        List<String> unread = new ArrayList<>();
        List<CompletedBackupCheck.Verdict> verdicts = check.check(c);
        for (CompletedBackupCheck.Verdict verdict : verdicts) {
            if (verdict instanceof CompletedBackupCheck.Unread u) {
                unread.add(u.storage());
            }
        }
        // A refused event is settled by its rejection; otherwise once listed, and once each unread storage's resync
        // has answered.
        Runnable part = Countdown.after(1 + unread.size(), settled);
        for (CompletedBackupCheck.Verdict verdict : verdicts) {
            if (verdict instanceof CompletedBackupCheck.Listed l) {
                listed.add(l.entry());
            } else if (verdict instanceof CompletedBackupCheck.Refused r) {
                refused.add("on " + r.storage() + ": " + r.reason());
            } else if (verdict instanceof CompletedBackupCheck.Unread u) {
                LOG.warnf("[%s] backup %s of %s not listed on %s yet: %s; resyncing the storage", event.correlationId(),
                        c.backupId(), c.cluster(), u.storage(), u.reason());
                resyncs.request(c.cluster(), u.storage(), event, part);
            }
        }
        keeper.completed(event, listed, refused.isEmpty() ? part : () -> { });
        if (!listed.isEmpty()) {
            // Each completed backup applies its cluster's retention (on a thread of its own: nothing waits for it).
            expiries.soon(c.cluster(), event);
        }
        if (!refused.isEmpty()) {
            // The channel's failure strategy logs the reason and publishes it as event.rejected.v1.
            throw new RejectedEventException("backup " + c.backupId() + " of " + c.cluster() + " not listed "
                    + String.join("; ", refused));
        }
    }

    private void requested(Envelope<StowageEvent> event, ResyncRequested r, Runnable settled, Set<String> answered) {
        Optional<TopologyApplied> topology = topologies.get(r.cluster());
        if (topology.isEmpty() && catchUp.caughtUp()) {
            topology = topologies.get(r.cluster());
        }
        List<String> storages;
        if (r.storage() != null) {
            storages = List.of(r.storage());
        } else if (topology.isEmpty()) {
            storages = List.of();
        } else if (r.scope() == ResyncScope.MAIN) {
            storages = topology.get().main() == null ? List.of() : List.of(topology.get().main());
        } else {
            storages = List.copyOf(topology.get().spec().storages().keySet());
        }
        if (storages.isEmpty()) {
            String reason = topology.isEmpty() ? "cluster " + r.cluster() + " is not in the applied topology"
                    : "cluster " + r.cluster() + " has no storage to resync";
            LOG.warnf("[%s] resync refused: %s", event.correlationId(), reason);
            keeper.publish(List.of(Envelope.causedBy(event, source,
                    new ResyncFailed(r.cluster(), r.storage() == null ? "-" : r.storage(), reason))));
            settled.run();
            return;
        }
        List<String> left = storages.stream().filter(s -> !answered.contains(s)).toList();
        if (left.isEmpty() || answered.contains("-")) {
            LOG.infof("[%s] resync request %s answered already; not run again", event.correlationId(), event.id());
            settled.run();
            return;
        }
        Runnable part = Countdown.after(left.size(), settled);
        left.forEach(s -> resyncs.request(r.cluster(), s, event, part));
    }

}
