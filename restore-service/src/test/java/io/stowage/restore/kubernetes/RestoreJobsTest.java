package io.stowage.restore.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.PitrTarget;
import io.stowage.events.data.VolumeTarget;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.restore.job.JobOutcome;
import io.stowage.restore.job.RestoreJobSpec;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.plan.WalChain;
import io.stowage.events.data.RestoreStepName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The claim and Job of a restore into a new volume, and the spec the Job reads back. */
class RestoreJobsTest {

    static RestoreJobSpec spec() {
        CatalogBackup backup = new CatalogBackup("shop/orders", "s3", "b-1", "COMPLETE", null, "0/2000028",
                "0/2000100", "00000001", OffsetDateTime.parse("2026-12-03T10:00:00Z"),
                OffsetDateTime.parse("2026-12-03T10:01:00Z"), 123L, 100L, "ab".repeat(32));
        RestorePlan plan = new RestorePlan("shop/orders", "r-42", "s3", backup,
                new PitrTarget(OffsetDateTime.parse("2026-12-03T10:05:00Z"), null),
                List.of(new WalChain.Piece("s3", 1, 2, 5)), 5L, List.of(new RestorePlan.History("s3", 2)),
                new PostgresSpec("db.shop", 5432, "postgres", "pg-password", "/srv/pg", null, "postgres"),
                RestorePlan.VOLUME_MOUNT.resolve("pgdata"), RestorePlan.VOLUME_PORT, false, true, false,
                new VolumeTarget("orders-restored", "fast-ssd", "50Gi"));
        LinkedHashMap<String, StorageSpec> storages = new LinkedHashMap<>();
        storages.put("s3", new StorageSpec(true, StorageType.S3, new S3Spec("backups", "eu-west-1",
                "https://minio.example:9000", null, true, "s3-creds", "minio-ca", null), null));
        storages.put("archive", new StorageSpec(false, StorageType.S3, new S3Spec("archive", "eu-west-1", null,
                null, null, "s3-creds", null, null), null));
        return new RestoreJobSpec(plan, storages, 7200, 20, 4);
    }

    @Test
    void theJobReadsBackThePlanRestoreServiceMade() {
        RestoreJobSpec spec = spec();

        assertThat(RestoreJobSpec.fromJson(spec.toJson())).isEqualTo(spec);
    }

    @Test
    void theJobRunsTheExecutorWithTheClaimMounted_noSecretNoTokenNoKafkaLogin_failingForGoodOnAStepsFailure() {
        RestoreJobSpec spec = spec();
        Job job = RestoreJobs.job("shop", spec, new RestoreJobs.Template("registry.example/stowage/restore-service:1",
                null, Duration.ofHours(11)));

        assertThat(job.getMetadata().getName()).isEqualTo("stowage-restore-r-42");
        assertThat(job.getMetadata().getNamespace()).isEqualTo("shop");
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(11 * 3600);
        assertThat(job.getSpec().getPodFailurePolicy().getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getAction()).isEqualTo("FailJob");
            assertThat(rule.getOnExitCodes().getValues()).containsExactly(1, 2);
        });
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getEnableServiceLinks()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getFsGroupChangePolicy()).isEqualTo("OnRootMismatch");
        Container c = pod.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("registry.example/stowage/restore-service:1");
        assertThat(c.getCommand()).endsWith("io.stowage.restore.job.RestoreJob");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
        Map<String, String> mounts = c.getVolumeMounts().stream()
                .collect(Collectors.toMap(VolumeMount::getMountPath, VolumeMount::getName));
        assertThat(mounts).as("the storages' Secrets only: the restored server is reached without a password")
                .containsOnlyKeys("/var/lib/stowage/restore", "/tmp", "/etc/stowage/secrets/s3-creds",
                        "/etc/stowage/secrets/minio-ca");
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo(mounts.get("/var/lib/stowage/restore"));
            assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("orders-restored");
        });
        Map<String, EnvVar> env = c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertThat(env).doesNotContainKeys("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SASL_JAAS_CONFIG");
        assertThat(env.values()).allSatisfy(e -> assertThat(e.getValueFrom()).isNull());
        assertThat(RestoreJobSpec.fromJson(env.get(RestoreJobSpec.VARIABLE).getValue())).isEqualTo(spec);
    }

    @Test
    void theStepsTheJobWritesArePublishedOncePerPodInOrder_otherLinesIgnored() {
        RecordedSteps recorded = new RecordedSteps();
        JobRestoreHost.StepRelay relay = new JobRestoreHost.StepRelay(recorded);
        String first = "2026-12-03T10:00:00Z stowage-restore-job restore r-42 ...\n"
                + "stowage-restore-step {\"step\":\"fetch-base-backup\",\"status\":\"STARTED\"}\n"
                + "stowage-restore-step {\"step\":\"defragment\",\"status\":\"STARTED\"}\n"
                + "stowage-restore-step not json\n";
        relay.relay("pod-a", first);
        relay.relay("pod-a", first + "stowage-restore-step {\"step\":\"fetch-base-backup\",\"status\":"
                + "\"COMPLETED\",\"detail\":\"2 files\"}\n");
        relay.relay("pod-b", "stowage-restore-step {\"step\":\"fetch-base-backup\",\"status\":\"SKIPPED\","
                + "\"detail\":\"already done\"}\nstowage-restore-step {\"step\":\"fetch-wal\",\"status\":"
                + "\"STARTED\"}\n");

        assertThat(recorded.steps).containsExactly("fetch-base-backup STARTED", "fetch-base-backup COMPLETED: 2 files",
                "fetch-base-backup SKIPPED: already done", "fetch-wal STARTED");
        assertThat(relay.current()).isEqualTo(RestoreStepName.FETCH_WAL);
    }

    @Test
    void theClaimIsTheRequestedOne_markedWithItsRestore() {
        PersistentVolumeClaim claim = RestoreJobs.claim("shop", spec().plan());

        assertThat(claim.getMetadata().getName()).isEqualTo("orders-restored");
        assertThat(claim.getMetadata().getAnnotations()).containsEntry(RestoreJobs.RESTORE_ID, "r-42");
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
        assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("50Gi");
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    }

    @Test
    void onlyObjectStorageReachesAJob_andLongRestoreIdsMakeValidNames() {
        LinkedHashMap<String, StorageSpec> storages = new LinkedHashMap<>(spec().storages());
        storages.put("nfs", new StorageSpec(false, StorageType.FILESYSTEM, null, new FilesystemSpec("/mnt/x", null)));

        assertThat(RestoreJobs.reachable(storages)).containsOnlyKeys("s3", "archive");
        String name = RestoreJobs.jobName("A.very_long-restore.id-" + "x".repeat(90));
        assertThat(name).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        assertThat(RestoreJobs.jobName("r.1")).as("ids that differ only by '.' or case")
                .isNotEqualTo(RestoreJobs.jobName("r-1")).isNotEqualTo(RestoreJobs.jobName("R-1"))
                .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        assertThat(RestoreJobs.jobName("r-1")).isEqualTo("stowage-restore-r-1");
    }

    @Test
    void anOutcomeReadsBackFromATerminationMessage_andAnythingElseIsNone() {
        assertThat(JobOutcome.parse(JobOutcome.failed("fetch-wal", "gap").toJson()))
                .isEqualTo(new JobOutcome(false, null, "fetch-wal", "gap"));
        assertThat(JobOutcome.parse("OOMKilled")).isNull();
        assertThat(JobOutcome.failed("x", "y".repeat(5000)).toJson().length()).isLessThan(4096);
        // Escapes and multi-byte characters count: what the kubelet keeps is bytes.
        assertThat(JobOutcome.failed("x", "\"é\n".repeat(2000)).toJson().getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(4000);
    }
}
