package io.stowage.config.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.stowage.bus.EventPublisher;
import io.stowage.config.topology.BackupSourcePlanner;
import io.stowage.events.Envelope;
import io.stowage.events.EventJson;
import io.stowage.events.data.PitrTarget;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreProgress;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreTarget;
import io.stowage.events.data.VolumeTarget;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.spec.StorageSpec;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Restore resources: creating one asks for one restore. The leader publishes {@code restore.requested.v1} with a
 * restore id derived from the resource (its name and the start of its uid: restore-service takes a restore id once,
 * so a second delivery or a new leader asking again runs nothing twice), then records the id in status. The restore's
 * events then move the status: Pending, Running (the current step, each step with its times and detail), Completed
 * (where the old data directory is kept) or Failed (the step and the reason); config-service's own handling of a
 * {@code backupSource} (where it was placed in the topology, and its revert at the end) is written there too.
 * Deleting the resource undoes nothing: a restore that ran stays done, its old data stays where it was kept.
 */
public final class RestoreResources implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RestoreResources.class);

    public static final ResourceDefinitionContext RESTORE = new ResourceDefinitionContext.Builder()
            .withGroup("stowage.io").withVersion("v1alpha1").withKind("Restore").withPlural("restores")
            .withNamespaced(true).build();

    /** How often a Restore not yet requested (its publish failed) is tried again. */
    static final Duration RECHECK = Duration.ofSeconds(30);
    /** How long the start waits for the API server to list the resources. */
    static final Duration LIST_TIMEOUT = Duration.ofMinutes(2);

    private final OperationResources resources;
    private final EventPublisher bus;
    private final ResourceEvents events;
    private final String source;

    public RestoreResources(KubernetesClient client, List<String> namespaces, EventPublisher bus,
                            ResourceEvents events, String source) {
        this.resources = new OperationResources(client, RESTORE, namespaces);
        this.bus = bus;
        this.events = events;
        this.source = source;
    }

    /** Follows Restore resources; a new one (no restore id in status yet) is requested at once. */
    public void start() {
        resources.start(this::request, RECHECK, LIST_TIMEOUT);
    }

    /** The restore id a resource asks for: its name and the first 8 characters of its uid. */
    public static String restoreId(GenericKubernetesResource r) {
        return OperationResources.operationId(r);
    }

    /**
     * The request a Restore resource stands for. The CRD's schema and rules have checked its shape; what they cannot
     * check (a storage the cluster does not have, a backup that is not there) restore-service refuses on the bus, and
     * the refusal comes back as Failed.
     *
     * @throws IllegalArgumentException what is wrong with the spec, naming the field
     */
    public static RestoreRequested requestOf(GenericKubernetesResource r) {
        Map<?, ?> spec = OperationResources.spec(r);
        String cluster = text(spec, "cluster");
        if (cluster == null) {
            throw new IllegalArgumentException("spec.cluster is required");
        }
        String namespace = r.getMetadata().getNamespace();
        int slash = cluster.indexOf('/');
        if (slash > 0 && namespace != null && !cluster.substring(0, slash).equals(namespace)) {
            // Its Secrets, and a new volume's claim and Job, are the cluster's namespace's: a Restore in another
            // namespace would reach them.
            throw new IllegalArgumentException("spec.cluster " + cluster + " is in namespace "
                    + cluster.substring(0, slash) + ": a Restore restores clusters of its own namespace ("
                    + namespace + ")");
        }
        String backup = Optional.ofNullable(text(spec, "backup")).orElse("latest");
        PitrTarget pitr = null;
        if (spec.get("target") instanceof Map<?, ?> target) {
            String time = text(target, "time");
            String lsn = text(target, "lsn");
            if ((time == null) == (lsn == null)) {
                throw new IllegalArgumentException("spec.target needs exactly one of time or lsn");
            }
            try {
                pitr = new PitrTarget(time == null ? null : OffsetDateTime.parse(time), lsn);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("spec.target.time is not an RFC 3339 time: " + time);
            }
        }
        RestoreTarget target = null;
        if (spec.get("newInstance") instanceof Map<?, ?> instance) {
            Object port = instance.get("port");
            target = new RestoreTarget(text(instance, "dataDirectory"), port instanceof Number n ? n.intValue() : null);
        }
        if (spec.get("newVolume") instanceof Map<?, ?> volume) {
            if (target != null) {
                throw new IllegalArgumentException("a restore goes to spec.newInstance or spec.newVolume, not both");
            }
            target = RestoreTarget.volume(new VolumeTarget(text(volume, "claimName"), text(volume, "storageClassName"),
                    text(volume, "size")));
        }
        StorageSpec backupSource = null;
        if (spec.get("backupSource") instanceof Map<?, ?> inline) {
            try {
                backupSource = EventJson.MAPPER.convertValue(inline, StorageSpec.class);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("spec.backupSource is not a storage: " + e.getMessage());
            }
        }
        Boolean backupAfterRestore = spec.get("backupAfterRestore") instanceof Boolean b ? b : null;
        return new RestoreRequested(cluster, backup, text(spec, "storage"), pitr, backupSource, backupAfterRestore,
                restoreId(r), target);
    }

    private synchronized void request(GenericKubernetesResource r) {
        resources.writeAgainIfUnwritten(r);
        if (resources.currentStatus(r).get("restoreId") != null) {
            return;
        }
        String id = restoreId(r);
        RestoreRequested request;
        try {
            request = requestOf(r);
        } catch (IllegalArgumentException e) {
            resources.writeStatus(r, Map.of("phase", "Failed", "restoreId", id, "reason", e.getMessage()));
            events.warning(r, "Refused", e.getMessage());
            return;
        }
        Envelope<RestoreRequested> event = Envelope.root(source, request);
        Optional<String> invalid = OperationResources.violation(event);
        if (invalid.isPresent()) {
            resources.writeStatus(r, Map.of("phase", "Failed", "restoreId", id, "reason", invalid.get()));
            events.warning(r, "Refused", invalid.get());
            return;
        }
        try {
            bus.publishAndWait(event);
        } catch (RuntimeException e) {
            // Not recorded: the next recheck (or the next leader) asks again with the same id.
            LOG.warnf("Restore %s/%s: could not publish its request (%s)", r.getMetadata().getNamespace(),
                    r.getMetadata().getName(), e.getMessage());
            return;
        }
        Map<String, Object> pending = new LinkedHashMap<>();
        pending.put("phase", "Pending");
        pending.put("restoreId", id);
        pending.put("backupId", request.backupId());
        if (r.getMetadata().getGeneration() != null) {
            pending.put("observedGeneration", r.getMetadata().getGeneration());
        }
        resources.writeStatus(r, pending);
        events.normal(r, "Requested", "restore " + id + " of " + request.cluster() + " requested");
        LOG.infof("Restore %s/%s: restore %s of %s requested", r.getMetadata().getNamespace(),
                r.getMetadata().getName(), id, request.cluster());
    }

    /**
     * Moves the status of the Restore resource that asked for the restore an event is about.
     *
     * @param placement what config-service decided about the request's backupSource, or about its revert at the
     *                  restore's end; null for any other event
     */
    public synchronized void follow(Envelope<StowageEvent> event, BackupSourcePlanner.Decision placement) {
        String restoreId = restoreIdOf(event.data());
        if (restoreId == null) {
            return;
        }
        Optional<GenericKubernetesResource> asking = resources.cached().stream()
                .filter(r -> restoreId.equals(resources.currentStatus(r).get("restoreId"))
                        || restoreId.equals(restoreId(r))).findFirst();
        if (asking.isEmpty()) {
            return;
        }
        GenericKubernetesResource r = asking.get();
        Map<String, Object> status = new LinkedHashMap<>(resources.currentStatus(r));
        status.put("restoreId", restoreId);
        String at = (event.time() == null ? OffsetDateTime.now() : event.time()).toInstant().toString();
        StowageEvent data = event.data();
        boolean ended = "Completed".equals(status.get("phase")) || "Failed".equals(status.get("phase"));
        if (ended && (data instanceof RestoreStarted || data instanceof RestoreStep || data instanceof RestoreProgress)) {
            // A heartbeat sent just before the end, or a replay: the outcome stands.
            return;
        }
        if (data instanceof RestoreRequested && placement != null) {
            status.put("backupSource", placed(placement));
            if (placement instanceof BackupSourcePlanner.Refused refused) {
                events.warning(r, "BackupSourceRefused", "the backupSource was not placed (" + refused.field() + "): "
                        + refused.reason());
            }
        } else if (data instanceof RestoreStarted s) {
            status.put("phase", "Running");
            status.put("backupId", s.backupId());
            status.put("storage", s.storage());
            status.putIfAbsent("startTime", at);
            events.normal(r, "Started", "restore " + restoreId + " of backup " + s.backupId() + " from " + s.storage());
        } else if (data instanceof RestoreStep step) {
            status.put("phase", "Running");
            status.putIfAbsent("startTime", at);
            status.put("currentStep", step.step());
            status.put("steps", withStep(status.get("steps"), step, at));
        } else if (data instanceof RestoreProgress p) {
            status.putIfAbsent("phase", "Running");
            // The step events say which step runs; a heartbeat only fills in before the first (a restore Job
            // publishes its steps itself, while restore-service's heartbeat cannot tell them).
            status.putIfAbsent("currentStep", p.step());
        } else if (data instanceof RestoreCompleted c) {
            status.put("phase", "Completed");
            status.put("backupId", c.backupId());
            status.put("storage", c.storage());
            status.put("dataDirectory", c.dataDirectory());
            if (c.previousDataDirectory() != null) {
                status.put("oldDataDirectory", c.previousDataDirectory());
            }
            status.remove("currentStep");
            status.put("completionTime", at);
            ended(status, placement);
            events.normal(r, "Completed", "restore " + restoreId + " completed from backup " + c.backupId() + " on "
                    + c.storage() + (c.previousDataDirectory() == null ? ""
                    : "; the old data directory is kept at " + c.previousDataDirectory()));
        } else if (data instanceof RestoreFailed f) {
            status.put("phase", "Failed");
            status.put("reason", f.reason());
            if (f.step() != null) {
                status.put("failedStep", f.step());
                status.put("steps", withFailedStep(status.get("steps"), f.step(), at));
            }
            status.remove("currentStep");
            status.put("completionTime", at);
            ended(status, placement);
            events.warning(r, "Failed", "restore " + restoreId + " failed" + (f.step() == null ? "" : " at step "
                    + f.step()) + ": " + f.reason());
        }
        resources.writeStatus(r, status);
    }

    private static String restoreIdOf(StowageEvent data) {
        if (data instanceof RestoreRequested q) {
            return q.restoreId();
        }
        return data instanceof RestoreStarted s ? s.restoreId() : data instanceof RestoreStep s ? s.restoreId()
                : data instanceof RestoreProgress p ? p.restoreId() : data instanceof RestoreCompleted c
                ? c.restoreId() : data instanceof RestoreFailed f ? f.restoreId() : null;
    }

    /** The steps so far, the one that failed marked Failed (added if it never said it started). */
    private static List<Map<String, Object>> withFailedStep(Object before, String failed, String at) {
        List<Map<String, Object>> steps = copy(before);
        Map<String, Object> entry = steps.stream().filter(s -> failed.equals(s.get("name"))).findFirst()
                .orElseGet(() -> {
                    Map<String, Object> created = new LinkedHashMap<>();
                    created.put("name", failed);
                    steps.add(created);
                    return created;
                });
        entry.put("state", "Failed");
        entry.putIfAbsent("startTime", at);
        entry.put("endTime", at);
        return steps;
    }

    private static List<Map<String, Object>> copy(Object before) {
        List<Map<String, Object>> steps = new ArrayList<>();
        if (before instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    Map<String, Object> copy = new LinkedHashMap<>();
                    m.forEach((k, v) -> copy.put(String.valueOf(k), v));
                    steps.add(copy);
                }
            }
        }
        return steps;
    }

    /** The steps so far, with this one's state (and its start or end time) updated in place. */
    private static List<Map<String, Object>> withStep(Object before, RestoreStep step, String at) {
        List<Map<String, Object>> steps = copy(before);
        Map<String, Object> entry = steps.stream().filter(s -> step.step().equals(s.get("name"))).findFirst()
                .orElseGet(() -> {
                    Map<String, Object> created = new LinkedHashMap<>();
                    created.put("name", step.step());
                    steps.add(created);
                    return created;
                });
        String state = switch (step.status()) {
            case "STARTED" -> "Running";
            case "COMPLETED" -> "Completed";
            case "SKIPPED" -> "Skipped";
            default -> step.status();
        };
        entry.put("state", state);
        if ("Running".equals(state)) {
            entry.put("startTime", at);
            entry.remove("endTime");
        } else {
            entry.putIfAbsent("startTime", at);
            entry.put("endTime", at);
        }
        if (step.detail() != null) {
            entry.put("detail", step.detail());
        }
        return steps;
    }

    /** Where config-service placed the backupSource, as status shows it. */
    private static Map<String, Object> placed(BackupSourcePlanner.Decision decision) {
        Map<String, Object> placed = new LinkedHashMap<>();
        if (decision instanceof BackupSourcePlanner.Change change) {
            for (StowageEvent e : change.plan().events()) {
                if (e instanceof StorageChanged c && (c.change() == StorageChange.MAIN_SET
                        || c.change() == StorageChange.PROFILE_ADDED)) {
                    placed.put("placement", c.change() == StorageChange.MAIN_SET ? "TemporaryMain" : "Profile");
                    placed.put("storage", c.storage());
                    placed.put("detail", c.reason());
                }
            }
        } else if (decision instanceof BackupSourcePlanner.Unchanged u) {
            placed.put("placement", "Configured");
            placed.put("detail", u.why());
        } else if (decision instanceof BackupSourcePlanner.Refused refused) {
            placed.put("placement", "Refused");
            placed.put("detail", refused.field() + ": " + refused.reason());
        }
        return placed;
    }

    /** At the restore's end: whether the backupSource's place in the topology was reverted, and how. */
    @SuppressWarnings("unchecked")
    private static void ended(Map<String, Object> status, BackupSourcePlanner.Decision decision) {
        if (!(status.get("backupSource") instanceof Map<?, ?> before)) {
            return;
        }
        Map<String, Object> placed = new LinkedHashMap<>((Map<String, Object>) before);
        if (decision instanceof BackupSourcePlanner.Change change) {
            placed.put("reverted", true);
            change.plan().events().stream().filter(StorageChanged.class::isInstance).map(StorageChanged.class::cast)
                    .findFirst().ifPresent(c -> placed.put("detail", c.reason()));
        } else if ("Profile".equals(placed.get("placement"))) {
            placed.put("reverted", false);
            placed.put("detail", "it stays a profile of the cluster after the restore; to remove it, add it to the "
                    + "config under its name, then remove it");
        }
        status.put("backupSource", placed);
    }

    private static String text(Map<?, ?> map, String key) {
        return map.get(key) instanceof String s && !s.isBlank() ? s : null;
    }

    @Override
    public void close() {
        resources.close();
    }
}
