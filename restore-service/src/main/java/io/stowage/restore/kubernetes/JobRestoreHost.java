package io.stowage.restore.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.restore.job.JobOutcome;
import io.stowage.restore.job.JobStep;
import io.stowage.restore.job.RestoreJobSpec;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.service.LocalRestoreHost;
import io.stowage.restore.service.RestoreHost;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.restore.steps.StepFailure;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.kubernetes.KubernetesSecrets;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.function.Supplier;

/**
 * Restores into a new volume, on Kubernetes: restore-service makes the PersistentVolumeClaim and a Job that runs the
 * restore executor with it mounted, publishes the steps the Job writes to its log as they come, and reads the Job's
 * outcome from its Pod's termination message. Asked again (a redelivery, another instance after a rebalance), it
 * follows the Job already there; a Job that failed is made again with the same spec (the same backup, target and
 * claim), and its new run goes on from what the volume holds.
 */
public final class JobRestoreHost implements RestoreHost {
    private static final Logger LOG = Logger.getLogger(JobRestoreHost.class);
    /** How long a Pod may stay unable to start before the restore fails saying why. */
    public static final Duration STUCK = Duration.ofMinutes(3);
    private static final java.util.Set<String> CANNOT_START = java.util.Set.of("CreateContainerConfigError",
            "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerError");

    /**
     * @param namespace where claims and Jobs go: null for each cluster's namespace (its id {@code namespace/name};
     *                  restore-service's own for ids without one)
     * @param poll      how often the Job and its log are looked at
     * @param timeout   how long a Job may run (its active deadline)
     * @param stuck     how long its Pod may stay unable to start (a missing Secret, an image not pulled)
     */
    public record Settings(String namespace, Duration poll, Duration timeout, Duration stuck,
                           RestoreRun.Timings timings) {
    }

    private final KubernetesClient client;
    private final Supplier<String> image;
    private final String serviceAccount;
    private final Settings settings;

    public JobRestoreHost(KubernetesClient client, Supplier<String> image, String serviceAccount, Settings settings) {
        this.client = client;
        this.image = image;
        this.serviceAccount = serviceAccount;
        this.settings = settings;
    }

    /** The Job opens the storages itself. */
    @Override
    public Map<String, BackupStorage> open(TopologyApplied topology, RestorePlan plan) {
        return Map.of();
    }

    @Override
    public boolean restoresIntoVolumes() {
        return true;
    }

    /** Makes the claim and the Job (or finds them), relays the Job's steps, and waits for its outcome. */
    @Override
    public RestoreRun.Outcome run(Envelope<?> request, RestorePlan plan, TopologyApplied topology,
                                  Map<String, BackupStorage> storages, RestoreRun.Coordination bus)
            throws StepFailure, InterruptedException {
        String namespace = namespaceOf(plan.cluster());
        String name = RestoreJobs.jobName(plan.restoreId());
        Job job = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
        if (job != null && !plan.restoreId().equals(annotation(job.getMetadata().getAnnotations(),
                RestoreJobs.RESTORE_ID))) {
            throw new StepFailure(RestoreStepName.FETCH_BASE_BACKUP, "Job " + namespace + "/" + name + " exists and "
                    + "runs another restore");
        }
        RestoreJobSpec spec;
        if (job != null) {
            // The restore as it was first planned: the same backup (latest may name a newer one now), target, claim.
            spec = specOf(job);
            if (!spec.plan().volume().claimName().equals(plan.volume().claimName())) {
                throw new StepFailure(RestoreStepName.FETCH_BASE_BACKUP, "restore " + plan.restoreId() + " goes into "
                        + "claim " + spec.plan().volume().claimName() + " (Job " + namespace + "/" + name + "), not "
                        + plan.volume().claimName() + ": ask it again with that claim, or under a new restoreId");
            }
            if (failed(job)) {
                LOG.infof("restore %s: Job %s/%s failed earlier; it runs again on the same volume", plan.restoreId(),
                        namespace, name);
                client.batch().v1().jobs().inNamespace(namespace).withName(name).withPropagationPolicy(
                        DeletionPropagation.BACKGROUND).delete();
                awaitGone(namespace, name);
                create(namespace, spec);
            } else {
                LOG.infof("restore %s of %s: Job %s/%s runs it already; following it", plan.restoreId(),
                        plan.cluster(), namespace, name);
            }
        } else {
            LinkedHashMap<String, StorageSpec> reachable = RestoreJobs.reachable(LocalRestoreHost.inWalOrder(topology));
            if (!reachable.containsKey(plan.storage())) {
                throw new StepFailure(RestoreStepName.FETCH_BASE_BACKUP, "storage '" + plan.storage() + "' is a "
                        + "folder of restore-service's host, which a restore Job cannot reach: restore into a new "
                        + "volume from an S3 storage");
            }
            spec = new RestoreJobSpec(plan, reachable, settings.timings().promotionTimeout().toSeconds(),
                    settings.timings().stallTimeout().toSeconds(), settings.timings().walFetchThreads());
            claim(namespace, plan);
            create(namespace, spec);
        }
        return await(namespace, name, spec.plan(), bus);
    }

    private void create(String namespace, RestoreJobSpec spec) {
        RestorePlan plan = spec.plan();
        client.batch().v1().jobs().inNamespace(namespace).resource(RestoreJobs.job(namespace, spec,
                new RestoreJobs.Template(image.get(), serviceAccount, settings.timeout()))).create();
        LOG.infof("restore %s of %s: Job %s/%s runs it into claim %s", plan.restoreId(), plan.cluster(), namespace,
                RestoreJobs.jobName(plan.restoreId()), plan.volume().claimName());
    }

    private void claim(String namespace, RestorePlan plan) throws StepFailure {
        String claimName = plan.volume().claimName();
        PersistentVolumeClaim existing = client.persistentVolumeClaims().inNamespace(namespace).withName(claimName)
                .get();
        if (existing == null) {
            client.persistentVolumeClaims().inNamespace(namespace).resource(RestoreJobs.claim(namespace, plan))
                    .create();
            return;
        }
        Map<String, String> annotations = existing.getMetadata().getAnnotations();
        if (!plan.restoreId().equals(annotation(annotations, RestoreJobs.RESTORE_ID))) {
            throw new StepFailure(RestoreStepName.FETCH_BASE_BACKUP, "PersistentVolumeClaim " + namespace + "/"
                    + claimName + " exists and was not made by restore " + plan.restoreId() + ": a restore never "
                    + "writes over data; name a new claim");
        }
        String backup = annotation(annotations, RestoreJobs.BACKUP_ID);
        if (backup != null && !backup.equals(plan.backup().backupId())) {
            throw new StepFailure(RestoreStepName.FETCH_BASE_BACKUP, "PersistentVolumeClaim " + namespace + "/"
                    + claimName + " holds restore " + plan.restoreId() + " of backup " + backup + ", not "
                    + plan.backup().backupId() + ": to restore another backup, ask under a new restoreId and claim");
        }
    }

    private RestoreRun.Outcome await(String namespace, String name, RestorePlan plan, RestoreRun.Coordination bus)
            throws StepFailure, InterruptedException {
        StepRelay relay = new StepRelay(bus);
        long stuckSince = 0;
        // The Job's own deadline ends it; this one only bounds a Job that never gets that far (a minute more).
        long deadline = System.nanoTime() + settings.timeout().plusMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            Job job;
            Optional<Pod> newest;
            try {
                job = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
                newest = job == null ? Optional.empty() : newestPod(job);
            } catch (KubernetesClientException e) {
                // The API server out of reach for a while: the Job runs on without us; look again.
                LOG.warnf("restore %s: Job %s/%s cannot be read now (%s); looking again", plan.restoreId(),
                        namespace, name, e.getMessage());
                Thread.sleep(settings.poll().toMillis());
                continue;
            }
            if (job == null) {
                throw new StepFailure(relay.current(), "Job " + namespace + "/" + name + " was deleted before it "
                        + "ended");
            }
            newest.ifPresent(pod -> relay.relay(pod.getMetadata().getName(), log(namespace, pod)));
            Optional<String> stuck = newest.flatMap(JobRestoreHost::cannotStart);
            if (stuck.isEmpty()) {
                stuckSince = 0;
            } else if (stuckSince == 0) {
                stuckSince = System.nanoTime();
            } else if (System.nanoTime() - stuckSince > settings.stuck().toNanos()) {
                // A Secret missing in the namespace, an image that cannot be pulled: the Job would wait for its
                // deadline. Asked again, the restore follows the same Job, which may have started by then.
                throw new StepFailure(relay.current(), "the restore Job's Pod has not started for "
                        + settings.stuck().toSeconds() + " s: " + stuck.get() + " (Job " + namespace + "/" + name + ", "
                        + "claim " + plan.volume().claimName() + "); fix it and ask the restore again");
            }
            boolean succeeded = job.getStatus() != null && job.getStatus().getSucceeded() != null
                    && job.getStatus().getSucceeded() > 0;
            if (succeeded) {
                return new RestoreRun.Outcome(Path.of("pvc:" + namespace + "/" + plan.volume().claimName() + "/"
                        + RestorePlan.VOLUME_DATA_FOLDER), null);
            }
            if (failed(job)) {
                String where = " (Job " + namespace + "/" + name + ", claim " + plan.volume().claimName() + ")";
                Optional<ContainerStateTerminated> ended = newest.flatMap(JobRestoreHost::terminated);
                JobOutcome outcome = ended.map(t -> JobOutcome.parse(t.getMessage())).orElse(null);
                if (outcome != null && !outcome.completed()) {
                    throw new StepFailure(RestoreStepName.fromWireName(outcome.step()).orElse(relay.current()),
                            outcome.reason() + where);
                }
                String why = ended.map(t -> "its container ended " + (t.getReason() == null ? "" : t.getReason()
                        + ", ") + "exit code " + t.getExitCode()).orElse(failure(job));
                throw new StepFailure(relay.current(), "the restore Job failed: " + why + "; see kubectl logs job/"
                        + name + " -n " + namespace + where);
            }
            Thread.sleep(settings.poll().toMillis());
        }
        throw new StepFailure(relay.current(), "Job " + namespace + "/" + name + " did not end within "
                + settings.timeout() + "; request the restore again to follow it");
    }

    /** Why a Pod's container cannot start, when it is a reason that does not pass by itself. */
    private static Optional<String> cannotStart(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream().map(ContainerStatus::getState).filter(Objects::nonNull)
                .map(ContainerState::getWaiting).filter(Objects::nonNull)
                .filter(w -> CANNOT_START.contains(w.getReason()))
                .map(w -> w.getReason() + (w.getMessage() == null ? "" : ": " + w.getMessage())).findFirst();
    }

    /** The newest of this Job's Pods: a deleted predecessor's (same name) have another controller uid. */
    private Optional<Pod> newestPod(Job job) {
        String uid = job.getMetadata().getUid();
        return client.pods().inNamespace(job.getMetadata().getNamespace())
                .withLabel(RestoreJobs.JOB_NAME, job.getMetadata().getName()).list().getItems().stream()
                .filter(p -> uid == null || p.getMetadata().getLabels() == null
                        || uid.equals(p.getMetadata().getLabels().getOrDefault(RestoreJobs.CONTROLLER_UID, uid)))
                .max(Comparator.comparing((Pod p) -> p.getMetadata().getCreationTimestamp() == null ? ""
                        : p.getMetadata().getCreationTimestamp()));
    }

    /**
     * The Pod's log, by one GET of its log subresource. (Fabric8's {@code getLog()} first waits for the Pod to be
     * ready with an informer: a list and a watch of Pods at every look, and a right to watch them.)
     */
    private String log(String namespace, Pod pod) {
        String url = client.getMasterUrl().toString().replaceAll("/+$", "") + "/api/v1/namespaces/" + namespace
                + "/pods/" + pod.getMetadata().getName() + "/log?container=" + RestoreJobs.CONTAINER;
        try {
            String log = client.raw(url);
            return log == null ? "" : log;
        } catch (KubernetesClientException e) {
            // Not started yet, or its node gone: the next look, or the outcome, tells.
            return "";
        }
    }

    private static Optional<ContainerStateTerminated> terminated(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream().filter(c -> RestoreJobs.CONTAINER.equals(c.getName()))
                .map(ContainerStatus::getState).filter(Objects::nonNull).map(ContainerState::getTerminated)
                .filter(Objects::nonNull).findFirst();
    }

    private static RestoreJobSpec specOf(Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().stream()
                .flatMap(c -> c.getEnv() == null ? Stream.empty() : c.getEnv().stream())
                .filter(e -> RestoreJobSpec.VARIABLE.equals(e.getName())).findFirst()
                .map(e -> RestoreJobSpec.fromJson(e.getValue()))
                .orElseThrow(() -> new IllegalStateException("Job " + job.getMetadata().getName() + " has no "
                        + RestoreJobSpec.VARIABLE));
    }

    private static boolean failed(Job job) {
        return condition(job, "Failed").isPresent();
    }

    private static String failure(Job job) {
        return condition(job, "Failed").map(c -> (c.getReason() == null ? "" : c.getReason() + ": ")
                + (c.getMessage() == null ? "" : c.getMessage())).orElse("failed");
    }

    private static Optional<JobCondition> condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
    }

    private void awaitGone(String namespace, String name) throws InterruptedException, StepFailure {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (client.batch().v1().jobs().inNamespace(namespace).withName(name).get() != null) {
            if (System.nanoTime() > deadline) {
                throw new StepFailure(RestoreStepName.FETCH_BASE_BACKUP, "the failed Job " + namespace + "/" + name
                        + " was not deleted within 2 minutes");
            }
            Thread.sleep(settings.poll().toMillis());
        }
    }

    private String namespaceOf(String cluster) {
        if (settings.namespace() != null) {
            return settings.namespace();
        }
        String own = client.getNamespace() == null ? "default" : client.getNamespace();
        return KubernetesSecrets.namespaceOf(cluster, own);
    }

    private static String annotation(Map<String, String> annotations, String key) {
        return annotations == null ? null : annotations.get(key);
    }

    /** The steps a Job's Pods wrote to their logs, each published once per Pod, in order. */
    static final class StepRelay {
        private final RestoreRun.Coordination bus;
        private final Map<String, Integer> relayed = new HashMap<>();
        private RestoreStepName current = RestoreStepName.FETCH_BASE_BACKUP;

        StepRelay(RestoreRun.Coordination bus) {
            this.bus = bus;
        }

        void relay(String pod, String log) {
            List<JobStep> steps = log.lines().map(JobStep::parse).flatMap(Optional::stream).toList();
            int done = relayed.getOrDefault(pod, 0);
            for (JobStep step : steps.subList(Math.min(done, steps.size()), steps.size())) {
                if (step.stepStatus() == RestoreStepStatus.STARTED) {
                    current = step.name();
                }
                bus.step(step.name(), step.stepStatus(), step.detail());
            }
            relayed.put(pod, Math.max(done, steps.size()));
        }

        /** The step that started last: the one a failure without its own outcome is put on. */
        RestoreStepName current() {
            return current;
        }
    }
}
