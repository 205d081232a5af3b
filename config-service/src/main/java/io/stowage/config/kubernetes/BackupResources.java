package io.stowage.config.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.stowage.bus.EventPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.BackupProgress;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.BackupStarted;
import io.stowage.events.data.StowageEvent;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Backup resources: creating one asks for one base backup. The leader publishes {@code backup.requested.v1} with a
 * backup id derived from the resource (its name and the start of its uid: a second delivery, or a new leader,
 * asks again with the same id, which backup-service takes once), then records the id in status; the backup's events
 * on the bus then move the status: Pending, Running (with progress), Completed (sizes, LSNs, times) or Failed (the
 * reason). Deleting the resource deletes no data.
 */
public final class BackupResources implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackupResources.class);

    public static final ResourceDefinitionContext BACKUP = new ResourceDefinitionContext.Builder()
            .withGroup("stowage.io").withVersion("v1alpha1").withKind("Backup").withPlural("backups")
            .withNamespaced(true).build();

    /** How often a Backup not yet requested (its publish failed) is tried again. */
    static final Duration RECHECK = Duration.ofSeconds(30);
    /** How long the start waits for the API server to list the resources. */
    static final Duration LIST_TIMEOUT = Duration.ofMinutes(2);

    private final OperationResources resources;
    private final EventPublisher bus;
    private final ResourceEvents events;
    private final String source;

    public BackupResources(KubernetesClient client, List<String> namespaces, EventPublisher bus, ResourceEvents events,
                           String source) {
        this.resources = new OperationResources(client, BACKUP, namespaces);
        this.bus = bus;
        this.events = events;
        this.source = source;
    }

    /** Follows Backup resources; a new one (no backup id in status yet) is requested at once. */
    public void start() {
        resources.start(this::request, RECHECK, LIST_TIMEOUT);
    }

    /** The backup id a resource asks for: its name and the first 8 characters of its uid. */
    public static String backupId(GenericKubernetesResource r) {
        return OperationResources.operationId(r);
    }

    private synchronized void request(GenericKubernetesResource r) {
        resources.writeAgainIfUnwritten(r);
        Map<String, Object> status = resources.currentStatus(r);
        if (status.get("backupId") != null) {
            return;
        }
        Map<?, ?> spec = OperationResources.spec(r);
        String cluster = spec.get("cluster") instanceof String c ? c : null;
        List<String> storages = new ArrayList<>();
        if (spec.get("storages") instanceof List<?> list) {
            list.forEach(s -> storages.add(String.valueOf(s)));
        }
        String id = backupId(r);
        if (cluster == null) {
            writeStatus(r, Map.of("phase", "Failed", "backupId", id, "reason", "spec.cluster is required"));
            return;
        }
        Envelope<BackupRequested> event = Envelope.root(source, new BackupRequested(cluster, storages.isEmpty() ? null
                : storages, id));
        Optional<String> invalid = OperationResources.violation(event);
        if (invalid.isPresent()) {
            writeStatus(r, Map.of("phase", "Failed", "backupId", id, "reason", invalid.get()));
            events.warning(r, "Refused", invalid.get());
            return;
        }
        try {
            bus.publishAndWait(event);
        } catch (RuntimeException e) {
            // Not recorded: the next recheck (or the next leader) asks again with the same id.
            LOG.warnf("Backup %s/%s: could not publish its request (%s)", r.getMetadata().getNamespace(),
                    r.getMetadata().getName(), e.getMessage());
            return;
        }
        Map<String, Object> pending = new LinkedHashMap<>();
        pending.put("phase", "Pending");
        pending.put("backupId", id);
        if (r.getMetadata().getGeneration() != null) {
            pending.put("observedGeneration", r.getMetadata().getGeneration());
        }
        writeStatus(r, pending);
        events.normal(r, "Requested", "backup " + id + " of " + cluster + " requested");
        LOG.infof("Backup %s/%s: backup %s of %s requested", r.getMetadata().getNamespace(), r.getMetadata().getName(),
                id, cluster);
    }

    /**
     * Moves the status of the Backup resource that asked for the backup an event is about. Serialised with
     * {@link #request}, and matched by the id derived from the resource too: an outcome may come before the
     * {@code Pending} status is back in the cache.
     */
    public synchronized void follow(Envelope<StowageEvent> event) {
        StowageEvent data = event.data();
        String backupId = data instanceof BackupStarted s ? s.backupId() : data instanceof BackupProgress p
                ? p.backupId() : data instanceof BackupCompleted c ? c.backupId() : data instanceof BackupFailed f
                ? f.backupId() : null;
        if (backupId == null) {
            return;
        }
        Optional<GenericKubernetesResource> asking = cached().stream()
                .filter(r -> backupId.equals(resources.currentStatus(r).get("backupId"))
                        || backupId.equals(backupId(r))).findFirst();
        if (asking.isEmpty()) {
            return;
        }
        GenericKubernetesResource r = asking.get();
        Map<String, Object> status = new LinkedHashMap<>(resources.currentStatus(r));
        status.put("backupId", backupId);
        if (data instanceof BackupStarted s) {
            status.put("phase", "Running");
            status.put("storages", List.copyOf(s.storages()));
        } else if (data instanceof BackupProgress p) {
            status.putIfAbsent("phase", "Running");
            Map<String, Object> progress = new LinkedHashMap<>();
            progress.put("bytesDone", p.bytesDone());
            if (p.bytesTotalEstimate() != null) {
                progress.put("bytesTotal", p.bytesTotalEstimate());
            }
            status.put("progress", progress);
        } else if (data instanceof BackupCompleted c) {
            status.put("phase", "Completed");
            status.put("storages", List.copyOf(c.storages()));
            status.put("sizeBytes", c.sizeBytes());
            status.put("storedBytes", c.storedBytes());
            status.put("startLsn", c.startLsn());
            status.put("stopLsn", c.stopLsn());
            status.put("timeline", c.timeline());
            if (c.startTime() != null) {
                status.put("startTime", c.startTime().toInstant().toString());
            }
            if (c.stopTime() != null) {
                status.put("stopTime", c.stopTime().toInstant().toString());
            }
            status.remove("progress");
            events.normal(r, "Completed", "backup " + backupId + " completed on " + String.join(", ", c.storages()));
        } else if (data instanceof BackupFailed f) {
            status.put("phase", "Failed");
            status.put("reason", f.reason());
            events.warning(r, "Failed", "backup " + backupId + " failed: " + f.reason());
        }
        writeStatus(r, status);
    }

    private List<GenericKubernetesResource> cached() {
        return resources.cached();
    }

    private void writeStatus(GenericKubernetesResource r, Map<String, Object> status) {
        resources.writeStatus(r, status);
    }

    @Override
    public void close() {
        resources.close();
    }
}
