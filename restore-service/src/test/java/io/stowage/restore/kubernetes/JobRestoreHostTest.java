package io.stowage.restore.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.stowage.events.Envelope;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.restore.job.JobOutcome;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.restore.steps.StepFailure;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * restore-service's side of a restore Job, against Fabric8's mock API server in CRUD mode, with the test playing the
 * kubelet and the Job controller: what it makes, what it refuses, and how each way a Job ends becomes the restore's
 * outcome. (RestoreServiceIT runs the Job's command for real.)
 */
@EnableKubernetesMockClient(crud = true)
class JobRestoreHostTest {
    static final String NS = "shop";
    KubernetesMockServer server;
    KubernetesClient client;

    JobRestoreHost host() {
        return new JobRestoreHost(client, () -> "stowage/restore-service:test", null, new JobRestoreHost.Settings(
                null, Duration.ofMillis(50), Duration.ofMinutes(5), Duration.ofMillis(500),
                new RestoreRun.Timings(Duration.ofMinutes(5), Duration.ofSeconds(20), 2)));
    }

    static RestorePlan plan(String restoreId, String claim) {
        RestorePlan p = RestoreJobsTest.spec().plan();
        return new RestorePlan(p.cluster(), restoreId, "s3", p.backup(), p.pitr(), List.of(), null, List.of(),
                p.postgres(), p.dataDirectory(), p.port(), false, true, false,
                new io.stowage.events.data.VolumeTarget(claim, null, "10Gi"));
    }

    static TopologyApplied topology() {
        Map<String, StorageSpec> storages = new LinkedHashMap<>();
        storages.put("s3", new StorageSpec(true, StorageType.S3, new S3Spec("backups", "eu-west-1", null, null, null,
                "s3-creds", null, null), null));
        return new TopologyApplied("shop/orders", 2, "s3", List.of(), new BackupConfigSpec(new PostgresSpec(
                "db.shop", 5432, "postgres", null, "/srv/pg", null, null), new PitrSpec(true), storages), false,
                "BackupConfig shop/orders");
    }

    final RecordedSteps bus = new RecordedSteps();

    CompletableFuture<RestoreRun.Outcome> run(RestorePlan plan) {
        Envelope<RestoreRequested> request = Envelope.root("/test", new RestoreRequested(plan.cluster(), "latest",
                "s3", null, null, null, plan.restoreId(), null));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return host().run(request, plan, topology(), Map.of(), bus);
            } catch (StepFailure e) {
                throw new java.util.concurrent.CompletionException(e);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    Job awaitJob(String restoreId) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> client.batch().v1().jobs().inNamespace(NS)
                .withName(RestoreJobs.jobName(restoreId)).get(), j -> j != null);
    }

    /** The Job's Pod as a kubelet reports it. */
    void pod(Job job, String suffix, String log, ContainerStateBuilder state) {
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata()
                .withName(job.getMetadata().getName() + "-" + suffix).addToLabels(RestoreJobs.JOB_NAME,
                        job.getMetadata().getName()).endMetadata()
                .withNewStatus().withContainerStatuses(new ContainerStatusBuilder().withName(RestoreJobs.CONTAINER)
                        .withState(state.build()).build()).endStatus().build()).create();
    }

    void status(Job job, boolean succeeded) {
        Job current = client.batch().v1().jobs().inNamespace(NS).withName(job.getMetadata().getName()).get();
        current.setStatus(succeeded ? new JobStatusBuilder().withSucceeded(1).build() : new JobStatusBuilder()
                .withFailed(1).addNewCondition().withType("Failed").withStatus("True").withReason("PodFailurePolicy")
                .endCondition().build());
        client.batch().v1().jobs().inNamespace(NS).resource(current).updateStatus();
    }

    static Throwable cause(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(20, TimeUnit.SECONDS);
            throw new AssertionError("the restore did not fail");
        } catch (ExecutionException e) {
            return e.getCause() instanceof java.util.concurrent.CompletionException c ? c.getCause() : e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aJobThatSucceedsIsTheRestoresOutcome_itsClaimMadeInTheClustersNamespace() throws Exception {
        RestorePlan plan = plan("r-1", "orders-1");
        CompletableFuture<RestoreRun.Outcome> outcome = run(plan);
        Job job = awaitJob("r-1");
        assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("orders-1").get().getMetadata()
                .getAnnotations()).containsEntry(RestoreJobs.RESTORE_ID, "r-1")
                .containsEntry(RestoreJobs.BACKUP_ID, plan.backup().backupId());

        pod(job, "a", "", new ContainerStateBuilder().withNewTerminated().withExitCode(0)
                .withMessage(JobOutcome.completed("/var/lib/stowage/restore/pgdata").toJson()).endTerminated());
        status(job, true);

        assertThat(outcome.get(20, TimeUnit.SECONDS).dataDirectory().toString()).isEqualTo("pvc:shop/orders-1/pgdata");
    }

    @Test
    void aStepsFailureInTheTerminationMessageIsTheRestoresFailure_atThatStep() throws Exception {
        CompletableFuture<RestoreRun.Outcome> outcome = run(plan("r-2", "orders-2"));
        Job job = awaitJob("r-2");
        pod(job, "a", "", new ContainerStateBuilder().withNewTerminated().withExitCode(1)
                .withMessage(JobOutcome.failed("fetch-wal", "segment 000000010000000000000009 is on no storage")
                        .toJson()).endTerminated());
        status(job, false);

        Throwable failure = cause(outcome);
        assertThat(failure).isInstanceOf(StepFailure.class).hasMessageContaining("is on no storage")
                .hasMessageContaining("Job shop/stowage-restore-r-2");
        assertThat(((StepFailure) failure).step()).isEqualTo(RestoreStepName.FETCH_WAL);
    }

    @Test
    void aPodKilledWithoutAnOutcomeFailsAtTheStepItsLogReached_namingWhy() throws Exception {
        CompletableFuture<RestoreRun.Outcome> outcome = run(plan("r-3", "orders-3"));
        Job job = awaitJob("r-3");
        pod(job, "a", "", new ContainerStateBuilder().withNewTerminated().withExitCode(137).withReason("OOMKilled")
                .endTerminated());
        status(job, false);

        Throwable failure = cause(outcome);
        assertThat(failure).isInstanceOf(StepFailure.class).hasMessageContaining("OOMKilled, exit code 137");
    }

    @Test
    void aPodThatCannotStartFailsTheRestoreWithTheReason_ratherThanWaitForTheDeadline() throws Exception {
        CompletableFuture<RestoreRun.Outcome> outcome = run(plan("r-4", "orders-4"));
        Job job = awaitJob("r-4");
        pod(job, "a", "", new ContainerStateBuilder().withNewWaiting().withReason("CreateContainerConfigError")
                .withMessage("secret \"s3-creds\" not found").endWaiting());

        assertThat(cause(outcome)).isInstanceOf(StepFailure.class)
                .hasMessageContaining("CreateContainerConfigError: secret \"s3-creds\" not found");
    }

    @Test
    void aClaimThatAnotherRestoreMadeIsNeverWrittenTo() throws Exception {
        client.persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder().withNewMetadata()
                .withName("orders-5").withNamespace(NS).endMetadata().build()).create();

        assertThat(cause(run(plan("r-5", "orders-5")))).isInstanceOf(StepFailure.class)
                .hasMessageContaining("exists and was not made by restore r-5");
        assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems()).isEmpty();
    }

    @Test
    void askedAgainWithAnotherClaim_theRestoreKeepsToItsOwn() throws Exception {
        CompletableFuture<RestoreRun.Outcome> first = run(plan("r-6", "orders-6"));
        Job job = awaitJob("r-6");

        assertThat(cause(run(plan("r-6", "orders-other")))).isInstanceOf(StepFailure.class)
                .hasMessageContaining("goes into claim orders-6");
        assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("orders-other").get()).isNull();
        status(job, true);
        assertThat(first.get(20, TimeUnit.SECONDS).dataDirectory().toString()).isEqualTo("pvc:shop/orders-6/pgdata");
    }
}
