package io.stowage.restore.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.StorageSpec;
import io.stowage.restore.job.JobOutcome;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.function.Supplier;

/**
 * Restores into a new volume, on Kubernetes: restore-service makes the PersistentVolumeClaim and a Job that runs the
 * restore executor with it mounted, then waits for the Job's end and reads its outcome from the Pod's termination
 * message. The Job publishes its own steps. Asked again (a redelivery, another instance after a rebalance), it
 * follows the Job already there; a Job that failed is made again, and its new run goes on from what the volume holds.
 */
public final class JobRestoreHost implements RestoreHost {
    private static final Logger LOG = Logger.getLogger(JobRestoreHost.class);

    /**
     * @param namespace    where claims and Jobs go: null for each cluster's namespace (its id {@code namespace/name};
     *                     restore-service's own for ids without one)
     * @param poll         how often the Job is looked at
     * @param timeout      how long a Job may run
     */
    public record Settings(String namespace, Duration poll, Duration timeout, RestoreRun.Timings timings,
                           String source) {
    }

    private final KubernetesClient client;
    private final Supplier<RestoreJobs.Template> template;
    private final Settings settings;

    public JobRestoreHost(KubernetesClient client, Supplier<RestoreJobs.Template> template, Settings settings) {
        this.client = client;
        this.template = template;
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

    /** Makes the claim and the Job (or finds them), and waits for the Job's outcome. */
    @Override
    public RestoreRun.Outcome run(Envelope<?> request, RestorePlan plan, TopologyApplied topology,
                                  Map<String, BackupStorage> storages, RestoreRun.Coordination bus)
            throws StepFailure, InterruptedException {
        String namespace = namespaceOf(plan.cluster());
        LinkedHashMap<String, StorageSpec> reachable = RestoreJobs.reachable(LocalRestoreHost.inWalOrder(topology));
        if (!reachable.containsKey(plan.storage())) {
            throw new StepFailure(RestoreStepName.FETCH_BASE_BACKUP, "storage '" + plan.storage() + "' is a folder "
                    + "of restore-service's host, which a restore Job cannot reach: restore into a new volume from an "
                    + "S3 storage");
        }
        claim(namespace, plan);
        String name = RestoreJobs.jobName(plan.restoreId());
        Job job = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
        if (job != null && !plan.restoreId().equals(annotation(job.getMetadata().getAnnotations()))) {
            throw new StepFailure(RestoreStepName.FETCH_BASE_BACKUP, "Job " + namespace + "/" + name + " exists and "
                    + "runs another restore");
        }
        if (job != null && failed(job)) {
            LOG.infof("restore %s: Job %s/%s failed earlier; it runs again on the same volume", plan.restoreId(),
                    namespace, name);
            client.batch().v1().jobs().inNamespace(namespace).withName(name).withPropagationPolicy(
                    io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
            awaitGone(namespace, name);
            job = null;
        }
        if (job == null) {
            RestoreJobSpec spec = new RestoreJobSpec(settings.source(), RestoreJobSpec.Request.of(request), plan,
                    reachable, settings.timings().promotionTimeout().toSeconds(),
                    settings.timings().stallTimeout().toSeconds(), settings.timings().walFetchThreads());
            client.batch().v1().jobs().inNamespace(namespace).resource(RestoreJobs.job(namespace, spec,
                    template.get())).create();
            LOG.infof("restore %s of %s: Job %s/%s runs it into claim %s", plan.restoreId(), plan.cluster(),
                    namespace, name, plan.volume().claimName());
        } else {
            LOG.infof("restore %s of %s: Job %s/%s runs it already; following it", plan.restoreId(), plan.cluster(),
                    namespace, name);
        }
        return await(namespace, name, plan);
    }

    private void claim(String namespace, RestorePlan plan) throws StepFailure {
        String claimName = plan.volume().claimName();
        PersistentVolumeClaim existing = client.persistentVolumeClaims().inNamespace(namespace).withName(claimName)
                .get();
        if (existing == null) {
            client.persistentVolumeClaims().inNamespace(namespace).resource(RestoreJobs.claim(namespace, plan))
                    .create();
        } else if (!plan.restoreId().equals(annotation(existing.getMetadata().getAnnotations()))) {
            throw new StepFailure(RestoreStepName.FETCH_BASE_BACKUP, "PersistentVolumeClaim " + namespace + "/"
                    + claimName + " exists and was not made by restore " + plan.restoreId() + ": a restore never "
                    + "writes over data; name a new claim");
        }
    }

    private RestoreRun.Outcome await(String namespace, String name, RestorePlan plan)
            throws StepFailure, InterruptedException {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        while (System.nanoTime() < deadline) {
            Job job = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
            if (job == null) {
                throw new StepFailure(RestoreStepName.FETCH_BASE_BACKUP, "Job " + namespace + "/" + name
                        + " was deleted before it ended");
            }
            boolean succeeded = job.getStatus() != null && job.getStatus().getSucceeded() != null
                    && job.getStatus().getSucceeded() > 0;
            if (succeeded || failed(job)) {
                Optional<JobOutcome> outcome = outcome(job);
                if (succeeded && outcome.map(JobOutcome::completed).orElse(true)) {
                    return new RestoreRun.Outcome(Path.of("pvc:" + namespace + "/" + plan.volume().claimName() + "/"
                            + RestorePlan.VOLUME_DATA_FOLDER), null);
                }
                String where = " (Job " + namespace + "/" + name + ", claim " + plan.volume().claimName() + ")";
                if (outcome.isEmpty()) {
                    throw new StepFailure(RestoreStepName.FETCH_BASE_BACKUP, "the restore Job failed without an "
                            + "outcome: see kubectl logs job/" + name + " -n " + namespace + where);
                }
                JobOutcome o = outcome.get();
                throw new StepFailure(RestoreStepName.fromWireName(o.step()).orElse(RestoreStepName.FETCH_BASE_BACKUP),
                        o.reason() + where);
            }
            Thread.sleep(settings.poll().toMillis());
        }
        throw new StepFailure(RestoreStepName.WAIT_PROMOTION, "Job " + namespace + "/" + name + " did not end within "
                + settings.timeout() + "; it may still run: request the restore again to follow it");
    }

    /**
     * The outcome the newest of the Job's Pods wrote as its termination message. Pods of an earlier Job of the same
     * name (one that failed, deleted and made again) are not this Job's: Kubernetes labels a Job's Pods with its uid.
     */
    private Optional<JobOutcome> outcome(Job job) {
        String uid = job.getMetadata().getUid();
        List<Pod> pods = client.pods().inNamespace(job.getMetadata().getNamespace())
                .withLabel(RestoreJobs.JOB_NAME, job.getMetadata().getName()).list().getItems();
        return pods.stream()
                .filter(p -> uid == null || p.getMetadata().getLabels() == null
                        || uid.equals(p.getMetadata().getLabels().getOrDefault(RestoreJobs.CONTROLLER_UID, uid)))
                .sorted(Comparator.comparing((Pod p) -> p.getMetadata().getCreationTimestamp() == null ? ""
                        : p.getMetadata().getCreationTimestamp()).reversed())
                .flatMap(p -> p.getStatus() == null || p.getStatus().getContainerStatuses() == null
                        ? Stream.<ContainerStatus>empty() : p.getStatus().getContainerStatuses().stream())
                .filter(c -> RestoreJobs.CONTAINER.equals(c.getName()))
                .map(JobRestoreHost::terminationMessage)
                .map(JobOutcome::parse)
                .filter(Objects::nonNull)
                .findFirst();
    }

    private static String terminationMessage(ContainerStatus c) {
        return c.getState() == null || c.getState().getTerminated() == null ? null
                : c.getState().getTerminated().getMessage();
    }

    private static boolean failed(Job job) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return false;
        }
        for (JobCondition c : job.getStatus().getConditions()) {
            if ("Failed".equals(c.getType()) && "True".equals(c.getStatus())) {
                return true;
            }
        }
        return false;
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

    private static String annotation(Map<String, String> annotations) {
        return annotations == null ? null : annotations.get(RestoreJobs.RESTORE_ID);
    }
}
