package io.stowage.config.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.stowage.bus.CatalogView;
import io.stowage.config.model.ConfigDocument;
import io.stowage.config.model.ConfigProblem;
import io.stowage.config.source.FolderSnapshot;
import io.stowage.config.topology.AppliedTopologies;
import io.stowage.config.topology.ConfigReconciler;
import io.stowage.config.topology.ConfigValidator;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;
import io.stowage.postgres.RecoveryWindow;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Applies the BackupConfig resources as the config folder is applied (same validation, same reconciler, same
 * fan-out), with what Kubernetes adds: a config whose Secrets (or keys) are missing is held back, its applied
 * topology in force, until they exist; each resource's status is written when it changes; a set
 * {@code stowage.io/resync} annotation is removed once its resync is on the bus; a refusal, a completed and a failed
 * backup are Kubernetes Events on the resource, and the last completed backup is in status. Runs on the apply thread, so it is ordered with the folder's applies and restores.
 */
public final class ResourceApplier {
    private static final Logger LOG = Logger.getLogger(ResourceApplier.class);
    /** How soon after a change of the catalog or of WAL archiving the statuses show it. */
    static final Duration STATUS_REFRESH = Duration.ofSeconds(5);

    private final BackupConfigResources resources;
    private final ConfigReconciler reconciler;
    private final AppliedTopologies applied;
    private final ResourceEvents events;
    private final BackupActivity backups;
    private final ScheduledExecutorService applyThread;
    private final Duration debounce;
    private final Supplier<Instant> clock;
    private final CatalogView catalog;
    /** Whether the catalog has been read to where it stood at the start: before, no window is shown. */
    private final BooleanSupplier catalogRead;
    private ScheduledFuture<?> pending;
    private ScheduledFuture<?> refresh;
    /** What the last apply made of each resource, by source: the status refresh starts from it. */
    private final Map<String, Handled> handled = new ConcurrentHashMap<>();

    private record Handled(String cluster, Long generation, ResourceStatus.Outcome outcome) {
    }
    private volatile boolean appliedOnce;

    public ResourceApplier(BackupConfigResources resources, ConfigReconciler reconciler, AppliedTopologies applied,
                           ResourceEvents events, BackupActivity backups, ScheduledExecutorService applyThread,
                           Duration debounce, Supplier<Instant> clock, CatalogView catalog,
                           BooleanSupplier catalogRead) {
        this.resources = resources;
        this.reconciler = reconciler;
        this.applied = applied;
        this.events = events;
        this.backups = backups;
        this.applyThread = applyThread;
        this.debounce = debounce;
        this.clock = clock;
        this.catalog = catalog;
        this.catalogRead = catalogRead;
    }

    /** Follows backups: each completion updates the cluster's status and, like each failure, is an Event. */
    public void followBackups() {
        backups.listen(new BackupActivity.Listener() {
            @Override
            public void completed(BackupCompleted c) {
                resource(c.cluster()).ifPresent(r -> events.normal(r, "BackupCompleted", "backup " + c.backupId()
                        + " completed on " + String.join(", ", c.storages())));
                changed();
            }

            @Override
            public void failed(BackupFailed f) {
                resource(f.cluster()).ifPresent(r -> events.warning(r, "BackupFailed", "backup " + f.backupId()
                        + " failed: " + f.reason()));
            }

            @Override
            public void walChanged(String cluster) {
                statusChanged();
            }
        });
    }

    /** A restore of a cluster started, completed or failed: an Event on its BackupConfig, whoever asked for it. */
    public void restoreEvent(StowageEvent event) {
        if (event instanceof RestoreStarted s) {
            resource(s.cluster()).ifPresent(r -> events.normal(r, "RestoreStarted", "restore " + s.restoreId()
                    + " of backup " + s.backupId() + " from " + s.storage() + " started"));
        } else if (event instanceof RestoreCompleted c) {
            resource(c.cluster()).ifPresent(r -> events.normal(r, "RestoreCompleted", "restore " + c.restoreId()
                    + " completed from backup " + c.backupId() + " on " + c.storage()
                    + (c.previousDataDirectory() == null ? "" : "; the old data directory is kept at "
                    + c.previousDataDirectory())));
        } else if (event instanceof RestoreFailed f) {
            resource(f.cluster()).ifPresent(r -> events.warning(r, "RestoreFailed", "restore " + f.restoreId()
                    + " failed" + (f.step() == null ? "" : " at step " + f.step()) + ": " + f.reason()));
        }
    }

    /**
     * Something the status shows changed (the catalog, WAL archiving): the statuses are written again within
     * {@link #STATUS_REFRESH}, however often it changes (a busy cluster archives a segment every few seconds).
     */
    public synchronized void statusChanged() {
        if (refresh != null && !refresh.isDone()) {
            return;
        }
        refresh = applyThread.schedule(this::refreshStatuses, STATUS_REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Writes each resource's status again with what the bus says now (windows, WAL archiving, last backup), from
     * what its last apply made of it: no reconcile, no Secret read.
     */
    void refreshStatuses() {
        try {
            for (GenericKubernetesResource r : resources.cached()) {
                Handled last = handled.get(BackupConfigResources.source(r));
                if (last == null || !Objects.equals(last.generation(), r.getMetadata().getGeneration())) {
                    continue; // not applied yet, or changed since: its apply writes the status
                }
                ResourceStatus.Outcome o = last.outcome();
                TopologyApplied inForce = applied.get(last.cluster()).orElse(null);
                report(r, new ResourceStatus.Outcome(o.generation(), inForce, o.mainImplied(), o.refusal(),
                        o.publishFailure(), backups.last(last.cluster()).orElse(null), windows(last.cluster(), inForce),
                        backups.wal(last.cluster()).orElse(null)));
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not refresh the BackupConfig statuses: %s", e.getMessage());
        }
    }

    private Optional<GenericKubernetesResource> resource(String cluster) {
        return resources.cached().stream().filter(r -> cluster.equals(r.getMetadata().getNamespace() + "/"
                + r.getMetadata().getName())).findFirst();
    }

    /** Asks for an apply once a burst of changes is over (any thread). */
    public synchronized void changed() {
        if (pending != null && !pending.isDone()) {
            return;
        }
        pending = applyThread.schedule(this::apply, debounce.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Applies the resources in the caches; before the informers have listed them all, does nothing. */
    public void apply() {
        if (!resources.synced()) {
            return;
        }
        try {
            applyNow();
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not apply the BackupConfig resources; the applied topology stays");
        }
    }

    private void applyNow() {
        List<GenericKubernetesResource> cached = resources.cached();
        handled.keySet().retainAll(new HashSet<>(cached.stream().map(BackupConfigResources::source).toList()));
        List<ConfigDocument> documents = new ArrayList<>();
        List<ConfigProblem> problems = new ArrayList<>();
        Set<String> heldBack = new HashSet<>();
        Map<String, ConfigValidator.Result> validated = new HashMap<>();
        for (GenericKubernetesResource r : cached) {
            ConfigDocument doc = BackupConfigResources.document(r);
            ConfigValidator.Result result = ConfigValidator.validate(doc);
            validated.put(doc.source(), result);
            Optional<ConfigProblem> missing = result.valid() ? missingSecret(r, result) : Optional.empty();
            if (missing.isPresent()) {
                problems.add(missing.get());
                heldBack.add(doc.source());
            } else {
                documents.add(doc);
            }
        }
        ConfigReconciler.Outcome outcome = reconciler.reconcile(new FolderSnapshot(documents, problems, heldBack,
                true));
        appliedOnce = appliedOnce || outcome.failed().isEmpty();
        for (GenericKubernetesResource r : cached) {
            String source = BackupConfigResources.source(r);
            ConfigValidator.Result result = validated.get(source);
            String cluster = result.valid() ? result.config().cluster()
                    : r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
            ConfigProblem refusal = outcome.refused().stream().filter(p -> source.equals(p.source())).findFirst()
                    .orElse(null);
            TopologyApplied inForce = applied.get(cluster).orElse(null);
            long generation = r.getMetadata().getGeneration() == null ? 0 : r.getMetadata().getGeneration();
            ResourceStatus.Outcome o = new ResourceStatus.Outcome(generation, inForce,
                    result.valid() && result.config().mainImplied(), refusal,
                    outcome.failed().contains(cluster) ? "the broker did not take it" : null,
                    backups.last(cluster).orElse(null), windows(cluster, inForce), backups.wal(cluster).orElse(null));
            report(r, o);
            handled.put(source, new Handled(cluster, r.getMetadata().getGeneration(), o));
            if (inForce != null && inForce.resyncAnnotation() && source.equals(inForce.source())
                    && annotated(r)) {
                try {
                    resources.removeAnnotation(r, ConfigValidator.RESYNC_ANNOTATION);
                    LOG.infof("cluster %s: resync requested; annotation %s removed", cluster,
                            ConfigValidator.RESYNC_ANNOTATION);
                } catch (RuntimeException e) {
                    LOG.warnf("cluster %s: could not remove annotation %s: %s", cluster,
                            ConfigValidator.RESYNC_ANNOTATION, e.getMessage());
                }
            }
        }
    }

    /** Writes the status when it says something new; a new refusal is also an Event on the resource. */
    private void report(GenericKubernetesResource r, ResourceStatus.Outcome o) {
        Map<String, Object> previous = BackupConfigResources.status(r);
        Map<String, Object> status = ResourceStatus.of(o, previous, clock.get());
        if (ResourceStatus.same(status, previous)) {
            return;
        }
        try {
            resources.writeStatus(r, status);
        } catch (RuntimeException e) {
            // The resource changed meanwhile, or the API server is out of reach: the next apply writes it.
            LOG.warnf("%s: could not write its status: %s", BackupConfigResources.source(r), e.getMessage());
            return;
        }
        boolean newRefusal = o.refusal() != null && !(previous.get("lastRejection") instanceof Map<?, ?> before
                && o.refusal().reason().equals(before.get("reason")));
        if (newRefusal) {
            events.warning(r, "Refused", (o.refusal().field() == null ? "" : o.refusal().field() + ": ")
                    + o.refusal().reason());
        } else if (o.refusal() == null && o.publishFailure() == null && o.inForce() != null
                && !Long.valueOf(o.generation()).equals(asLong(previous.get("observedGeneration")))) {
            events.normal(r, "Applied", "generation " + o.generation() + " applied: revision "
                    + o.inForce().revision() + " of the cluster's topology");
        }
    }

    /** What each storage in force can restore, from the catalog. */
    private List<RecoveryWindow> windows(String cluster, TopologyApplied inForce) {
        if (inForce == null || inForce.main() == null || !catalogRead.getAsBoolean()) {
            return List.of();
        }
        List<String> storages = new ArrayList<>();
        storages.add(inForce.main());
        storages.addAll(inForce.profiles());
        List<CatalogBackup> known = new ArrayList<>();
        storages.forEach(s -> known.addAll(catalog.backups(cluster, s)));
        List<CatalogWal> wal = catalog.wal(cluster);
        return storages.stream().map(s -> RecoveryWindow.of(s, known, wal)).toList();
    }

    private Optional<ConfigProblem> missingSecret(GenericKubernetesResource r, ConfigValidator.Result result) {
        String namespace = r.getMetadata().getNamespace();
        for (SecretsNamed.Named named : SecretsNamed.in(result.config().spec())) {
            Optional<String> why = resources.missing(namespace, named.secret(), named.keys());
            if (why.isPresent()) {
                return Optional.of(new ConfigProblem(result.config().source(), result.config().document(),
                        result.config().cluster(), named.field(), why.get()
                        + "; the config is applied once it is there"));
            }
        }
        return Optional.empty();
    }

    private static boolean annotated(GenericKubernetesResource r) {
        Map<String, String> annotations = r.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(ConfigValidator.RESYNC_ANNOTATION);
    }

    private static Long asLong(Object o) {
        return o instanceof Number n ? n.longValue() : null;
    }

    /** True once the resources have been applied with no cluster change left unpublished. */
    public boolean appliedOnce() {
        return appliedOnce;
    }
}
