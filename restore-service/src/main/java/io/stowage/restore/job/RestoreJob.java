package io.stowage.restore.job;

import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.postgres.ServerConnection;
import io.stowage.postgres.ServerControl;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.service.LocalRestoreHost;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.restore.steps.StepFailure;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.SecretSource;
import io.stowage.storage.SecretsFolder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Stowage's restore executor as a process: what a restore Job runs, with its volume mounted. It runs the plan
 * restore-service made (in {@value RestoreJobSpec#VARIABLE}) with the same steps as every restore (fetch, verify,
 * WAL fetch, recovery to the target, promotion) and one more, a clean shutdown. Each step goes to its output as a
 * line {@value #STEP_MARK}{@code <json>}, which restore-service reads from the Pod's log and publishes as every
 * restore's steps are published: the Job itself has no Kafka login and cannot write to the bus. It ends with its
 * outcome in the termination message and its exit code (0 completed, 1 a step failed, 2 it could not begin). Run
 * again on the same volume, it goes on from what the volume holds.
 *
 * <p>Its environment: {@code STOWAGE_RESTORE_VOLUME} (where the volume is mounted), {@code STOWAGE_SECRETS_FOLDER}
 * (the Secrets the spec names, mounted: secret N, key K is the file N/K), {@code STOWAGE_TERMINATION_LOG}, and
 * optionally {@code STOWAGE_POSTGRES_BIN_DIRECTORY}.
 */
public final class RestoreJob {
    public static final String VOLUME = "STOWAGE_RESTORE_VOLUME";
    public static final String SECRETS_FOLDER = "STOWAGE_SECRETS_FOLDER";
    public static final String TERMINATION_LOG = "STOWAGE_TERMINATION_LOG";
    public static final String BIN_DIRECTORY = "STOWAGE_POSTGRES_BIN_DIRECTORY";
    /** How a step's line begins in the Job's output. */
    public static final String STEP_MARK = "stowage-restore-step ";

    private RestoreJob() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(System.getenv());
        } catch (Throwable t) {
            // Whatever it was, the outcome says so (the Pod's status keeps it), not only a stack trace in the log.
            t.printStackTrace();
            code = end(Path.of(System.getenv().getOrDefault(TERMINATION_LOG, "/dev/termination-log")),
                    JobOutcome.failed("restore-job", t.toString()), 2);
        }
        System.exit(code);
    }

    /** Runs the restore the environment describes; returns the exit code. */
    public static int run(Map<String, String> env) {
        Path terminationLog = Path.of(env.getOrDefault(TERMINATION_LOG, "/dev/termination-log"));
        RestoreJobSpec spec;
        try {
            spec = RestoreJobSpec.fromJson(env.get(RestoreJobSpec.VARIABLE));
        } catch (IllegalArgumentException e) {
            return end(terminationLog, JobOutcome.failed("restore-job", e.getMessage()), 2);
        }
        Path volume = Path.of(env.getOrDefault(VOLUME, RestorePlan.VOLUME_MOUNT.toString()));
        RestorePlan plan = spec.plan().onVolume(volume, local(spec.plan().postgres(), env.get(BIN_DIRECTORY)));
        log("restore " + plan.restoreId() + " of " + plan.cluster() + ": backup " + plan.backup().backupId()
                + " from storage '" + plan.storage() + "' to " + plan.describeTarget() + ", into " + plan.dataDirectory());
        SecretSource secrets = new SecretsFolder(Path.of(env.getOrDefault(SECRETS_FOLDER, "/etc/stowage/secrets")));
        Map<String, BackupStorage> storages;
        try {
            storages = LocalRestoreHost.open(plan.cluster(), spec.storages(), secrets, plan.storage());
        } catch (RuntimeException e) {
            return end(terminationLog, JobOutcome.failed(RestoreStepName.FETCH_BASE_BACKUP.wireName(),
                    "storage '" + plan.storage() + "' cannot be opened: " + e.getMessage()), 1);
        }
        ServerControl postgres = new ServerControl(plan.postgres());
        try {
            // The restored server is reached on 127.0.0.1 only, where its own pg_hba.conf (which may ask for TLS or
            // a password) is replaced by one that trusts that address alone: nothing else can reach it.
            ServerConnection sql = new ServerConnection(plan.postgres(), null, "stowage-restore-job",
                    Duration.ofSeconds(5));
            RestoreRun.Outcome outcome = new RestoreRun(plan, storages, postgres, sql, new Steps(), spec.timings())
                    .run();
            log("restore " + plan.restoreId() + " completed: " + outcome.dataDirectory());
            return end(terminationLog, JobOutcome.completed(outcome.dataDirectory().toString()), 0);
        } catch (StepFailure failure) {
            log("restore " + plan.restoreId() + " failed at " + failure.step().wireName() + ": "
                    + failure.getMessage());
            stop(postgres, plan.dataDirectory());
            return end(terminationLog, JobOutcome.failed(failure.step().wireName(), failure.getMessage()), 1);
        } catch (RuntimeException e) {
            log("restore " + plan.restoreId() + " failed: " + e);
            stop(postgres, plan.dataDirectory());
            return end(terminationLog, JobOutcome.failed("restore", e.toString()), 1);
        } finally {
            storages.values().forEach(BackupStorage::close);
        }
    }

    /** A server left running by a failed step is stopped: the container must not end under it. */
    private static void stop(ServerControl postgres, Path dataDirectory) {
        try {
            if (postgres.isRunning(dataDirectory)) {
                postgres.stop(dataDirectory);
            }
        } catch (IOException | RuntimeException e) {
            log("the restored server could not be stopped: " + e.getMessage());
        }
    }

    /** The cluster's server as the Job reaches it: on 127.0.0.1, as its own OS user (or the config's, as root). */
    private static PostgresSpec local(PostgresSpec cluster, String binDirectory) {
        boolean root = "root".equals(System.getProperty("user.name"));
        return new PostgresSpec("127.0.0.1", RestorePlan.VOLUME_PORT, cluster.user(), null, null,
                binDirectory == null || binDirectory.isBlank() ? null : binDirectory, root ? cluster.osUser() : null);
    }

    static int end(Path terminationLog, JobOutcome outcome, int code) {
        try {
            Files.writeString(terminationLog, outcome.toJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            log("cannot write the outcome to " + terminationLog + ": " + e.getMessage());
        }
        return code;
    }

    private static void log(String line) {
        System.out.println(java.time.Instant.now() + " stowage-restore-job " + line);
        System.out.flush();
    }

    /** The run's steps, as lines of its output; restore-service publishes them. */
    private static final class Steps implements RestoreRun.Coordination {
        @Override
        public void step(RestoreStepName step, RestoreStepStatus status, String detail) {
            System.out.println(STEP_MARK + JobStep.of(step, status, detail).toJson());
            System.out.flush();
        }

        @Override
        public void pauseArchiving() throws StepFailure {
            throw new StepFailure(RestoreStepName.PAUSE_ARCHIVING, "a restore into a new volume does not pause "
                    + "archiving: the running primary is not touched");
        }

        @Override
        public void resumeArchiving() throws StepFailure {
            throw new StepFailure(RestoreStepName.RESUME_ARCHIVING, "a restore into a new volume paused nothing");
        }

        @Override
        public String requestBackup() {
            throw new IllegalStateException("a restore into a new volume leaves no server running to back up");
        }
    }
}
