package io.stowage.restore.kubernetes;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.stowage.events.data.VolumeTarget;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.restore.job.RestoreJob;
import io.stowage.restore.job.RestoreJobSpec;
import io.stowage.restore.plan.RestorePlan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The Kubernetes objects of a restore into a new volume: the PersistentVolumeClaim and the Job that runs Stowage's
 * restore executor ({@link RestoreJob}) with it mounted. The Job's container has no Kubernetes API token, no Kafka
 * login and no secret in its spec: the Secrets its storages name are mounted as files; its steps go to its log.
 */
public final class RestoreJobs {
    /** The annotation of a claim with the backup its restore restores: a claim holds one backup's copy. */
    public static final String BACKUP_ID = "stowage.io/backup-id";
    /** The annotation every object of a restore carries, with its restore id. */
    public static final String RESTORE_ID = "stowage.io/restore-id";
    /** The label Kubernetes gives a Job's Pods. */
    public static final String JOB_NAME = "job-name";
    /** The label Kubernetes gives a Job's Pods with the Job's uid. */
    public static final String CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
    public static final String CONTAINER = "restore";
    /** Where the image holds the application (the Quarkus fast-jar layout), by src/main/docker/Dockerfile.jvm. */
    public static final String APPLICATION = "/deployments";
    public static final String SECRETS = "/etc/stowage/secrets";
    public static final String TERMINATION_LOG = "/dev/termination-log";
    /** Runs, on failure, of the Job's Pod: each goes on from what the volume holds. */
    static final int BACKOFF_LIMIT = 2;
    private static final int USER = 185;

    /**
     * How a restore Job is made.
     *
     * @param image          the image (restore-service's own: it holds the executor and PostgreSQL 15)
     * @param serviceAccount the Job's service account, or null for the namespace's default (no token is mounted)
     * @param deadline       how long the Job may run, all its Pods together
     */
    public record Template(String image, String serviceAccount, java.time.Duration deadline) {
    }

    private RestoreJobs() {
    }

    /** A restore's Job name: {@code stowage-restore-<restoreId>}, as a DNS label (at most 63 characters). */
    public static String jobName(String restoreId) {
        String clean = restoreId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String name = "stowage-restore-" + clean;
        if (!clean.equals(restoreId) || name.length() > 63) {
            // Ids that differ only by case, '.' or '_' get names of their own.
            String hash = Integer.toHexString(restoreId.hashCode() & 0x7fffffff);
            name = name.substring(0, Math.min(name.length(), 62 - hash.length())).replaceAll("-+$", "") + "-" + hash;
        }
        return name;
    }

    public static PersistentVolumeClaim claim(String namespace, RestorePlan plan) {
        VolumeTarget volume = plan.volume();
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(volume.claimName()).withNamespace(namespace).withLabels(labels())
                .withAnnotations(Map.of(RESTORE_ID, plan.restoreId(), BACKUP_ID, plan.backup().backupId()))
                .endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(volume.storageClassName())
                .withNewResources().addToRequests("storage", new Quantity(volume.size())).endResources()
                .endSpec().build();
    }

    /** The S3 storages of the cluster, the main first: a Job reaches object storage only, not a host's folders. */
    public static LinkedHashMap<String, StorageSpec> reachable(Map<String, StorageSpec> storages) {
        LinkedHashMap<String, StorageSpec> s3 = new LinkedHashMap<>();
        storages.forEach((name, spec) -> {
            if (spec.type() == StorageType.S3) {
                s3.put(name, spec);
            }
        });
        return s3;
    }

    public static Job job(String namespace, RestoreJobSpec spec, Template template) {
        RestorePlan plan = spec.plan();
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar(RestoreJobSpec.VARIABLE, spec.toJson(), null));
        env.add(new EnvVar(RestoreJob.VOLUME, RestorePlan.VOLUME_MOUNT.toString(), null));
        env.add(new EnvVar(RestoreJob.SECRETS_FOLDER, SECRETS, null));
        env.add(new EnvVar(RestoreJob.TERMINATION_LOG, TERMINATION_LOG, null));
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        volumes.add(new VolumeBuilder().withName("volume").withNewPersistentVolumeClaim()
                .withClaimName(plan.volume().claimName()).endPersistentVolumeClaim().build());
        mounts.add(new VolumeMountBuilder().withName("volume").withMountPath(RestorePlan.VOLUME_MOUNT.toString())
                .build());
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
        int i = 0;
        for (String secret : secretsOf(spec)) {
            String name = "secret-" + i++;
            volumes.add(new VolumeBuilder().withName(name).withNewSecret().withSecretName(secret).endSecret().build());
            mounts.add(new VolumeMountBuilder().withName(name).withMountPath(SECRETS + "/" + secret).withReadOnly(true)
                    .build());
        }
        Map<String, String> annotations = Map.of(RESTORE_ID, plan.restoreId());
        return new JobBuilder()
                .withNewMetadata().withName(jobName(plan.restoreId())).withNamespace(namespace)
                .withLabels(labels()).withAnnotations(annotations).endMetadata()
                .withNewSpec().withBackoffLimit(BACKOFF_LIMIT)
                .withActiveDeadlineSeconds(template.deadline().toSeconds())
                // A step that failed fails the same way again (exit 1, or 2: it could not begin): no retry. A Pod
                // killed (evicted, out of memory) is run again and goes on from what the volume holds.
                .withNewPodFailurePolicy().addNewRule().withAction("FailJob").withNewOnExitCodes()
                .withContainerName(CONTAINER).withOperator("In").withValues(1, 2).endOnExitCodes().endRule()
                .endPodFailurePolicy()
                .withNewTemplate().withNewMetadata().withLabels(labels()).withAnnotations(annotations).endMetadata()
                .withNewSpec().withRestartPolicy("Never").withServiceAccountName(template.serviceAccount())
                .withAutomountServiceAccountToken(false).withEnableServiceLinks(false)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser((long) USER).withRunAsGroup((long) USER)
                // The volume is made the Job's group's once, not at each start: PostgreSQL refuses a data directory
                // others may read, and an fsGroup change at every start would open it again.
                .withFsGroup((long) USER).withFsGroupChangePolicy("OnRootMismatch")
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewContainer().withName(CONTAINER).withImage(template.image())
                .withCommand(command())
                .withEnv(env).withVolumeMounts(mounts)
                .withTerminationMessagePath(TERMINATION_LOG).withTerminationMessagePolicy("FallbackToLogsOnError")
                .withNewResources().addToRequests("cpu", new Quantity("500m"))
                .addToRequests("memory", new Quantity("1Gi")).addToLimits("memory", new Quantity("2Gi"))
                .endResources()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .endContainer()
                .withVolumes(volumes)
                .endSpec().endTemplate().endSpec().build();
    }

    /** The executor, from the image's application folder: the same classes restore-service runs. */
    static List<String> command() {
        return List.of("java", "-XX:MaxRAMPercentage=25", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-cp",
                APPLICATION + "/app/*:" + APPLICATION + "/lib/main/*:" + APPLICATION + "/lib/boot/*",
                RestoreJob.class.getName());
    }

    /** Every Secret the Job's storages name (by name: the Job mounts them). */
    static TreeSet<String> secretsOf(RestoreJobSpec spec) {
        TreeSet<String> names = new TreeSet<>();
        spec.storages().values().forEach(s -> {
            if (s.s3() != null) {
                addIfSet(names, s.s3().credentialsSecret());
                addIfSet(names, s.s3().caBundleSecret());
            }
        });
        return names;
    }

    private static void addIfSet(TreeSet<String> names, String name) {
        if (name != null && !name.isBlank()) {
            names.add(name);
        }
    }

    static Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "stowage");
        labels.put("app.kubernetes.io/component", "restore-job");
        return labels;
    }
}
