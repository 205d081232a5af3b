package io.stowage.restore.job;

import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.postgres.PasswordSecret;
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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Stowage's restore executor as a process: what a restore Job runs, with its volume mounted. It runs the plan
 * restore-service made (in {@value RestoreJobSpec#VARIABLE}) with the same steps as every restore (fetch, verify,
 * WAL fetch, recovery to the target, promotion) and one more, a clean shutdown; publishes each step on the bus, as
 * restore-service does; and ends with its outcome in the termination message and its exit code (0 completed, 1 a
 * step failed, 2 it could not begin). Run again on the same volume, it goes on from what the volume holds.
 *
 * <p>Its environment: {@code STOWAGE_RESTORE_VOLUME} (where the volume is mounted), {@code STOWAGE_SECRETS_FOLDER}
 * (the Secrets the spec names, mounted: secret N, key K is the file N/K), {@code STOWAGE_TERMINATION_LOG}, optional
 * {@code STOWAGE_POSTGRES_BIN_DIRECTORY}, and the Kafka client settings as {@code KAFKA_*} variables (the same
 * convention as the services': {@code KAFKA_BOOTSTRAP_SERVERS} is {@code bootstrap.servers}).
 */
public final class RestoreJob {
    public static final String VOLUME = "STOWAGE_RESTORE_VOLUME";
    public static final String SECRETS_FOLDER = "STOWAGE_SECRETS_FOLDER";
    public static final String TERMINATION_LOG = "STOWAGE_TERMINATION_LOG";
    public static final String BIN_DIRECTORY = "STOWAGE_POSTGRES_BIN_DIRECTORY";
    /** How long the step events still unsent may take to reach the broker when the run ends. */
    private static final Duration FLUSH = Duration.ofSeconds(30);

    private RestoreJob() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
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
        RestorePlan plan = spec.plan().onVolume(Path.of(env.getOrDefault(VOLUME, RestorePlan.VOLUME_MOUNT.toString())),
                local(spec.plan().postgres(), env.get(BIN_DIRECTORY)));
        log("restore " + plan.restoreId() + " of " + plan.cluster() + ": backup " + plan.backup().backupId()
                + " from storage '" + plan.storage() + "' to " + plan.describeTarget() + ", into " + plan.dataDirectory());
        SecretSource secrets = new SecretsFolder(Path.of(env.getOrDefault(SECRETS_FOLDER, "/etc/stowage/secrets")));
        try (KafkaEventPublisher publisher = new KafkaEventPublisher(KafkaConnection.of(kafka(env)),
                "stowage-restore-job-" + plan.restoreId())) {
            Steps steps = new Steps(spec, plan, publisher);
            Map<String, BackupStorage> storages;
            try {
                storages = LocalRestoreHost.open(plan.cluster(), spec.storages(), secrets, plan.storage());
            } catch (RuntimeException e) {
                return end(terminationLog, JobOutcome.failed(RestoreStepName.FETCH_BASE_BACKUP.wireName(),
                        "storage '" + plan.storage() + "' cannot be opened: " + e.getMessage()), 1);
            }
            try {
                ServerConnection sql = new ServerConnection(plan.postgres(),
                        PasswordSecret.read(plan.postgres(), secrets.forCluster(plan.cluster())::read),
                        "stowage-restore-job", Duration.ofSeconds(5));
                RestoreRun.Outcome outcome = new RestoreRun(plan, storages, new ServerControl(plan.postgres()), sql,
                        steps, spec.timings()).run();
                log("restore " + plan.restoreId() + " completed: " + outcome.dataDirectory());
                return end(terminationLog, JobOutcome.completed(outcome.dataDirectory().toString()), 0);
            } catch (StepFailure failure) {
                log("restore " + plan.restoreId() + " failed at " + failure.step().wireName() + ": "
                        + failure.getMessage());
                return end(terminationLog, JobOutcome.failed(failure.step().wireName(), failure.getMessage()), 1);
            } catch (RuntimeException e) {
                log("restore " + plan.restoreId() + " failed: " + e);
                return end(terminationLog, JobOutcome.failed("restore", e.toString()), 1);
            } finally {
                storages.values().forEach(BackupStorage::close);
                steps.flush();
            }
        }
    }

    /** The cluster's server as the Job reaches it: on 127.0.0.1, as its own OS user (or the config's, as root). */
    private static PostgresSpec local(PostgresSpec cluster, String binDirectory) {
        boolean root = "root".equals(System.getProperty("user.name"));
        return new PostgresSpec("127.0.0.1", RestorePlan.VOLUME_PORT, cluster.user(), cluster.passwordSecret(), null,
                binDirectory == null || binDirectory.isBlank() ? null : binDirectory, root ? cluster.osUser() : null);
    }

    /** The Kafka client settings in the environment: {@code KAFKA_SASL_MECHANISM} is {@code sasl.mechanism}. */
    static Map<String, Object> kafka(Map<String, String> env) {
        Map<String, Object> properties = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith("KAFKA_") && !value.isBlank()) {
                properties.put(name.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        if (!properties.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException("KAFKA_BOOTSTRAP_SERVERS is not set: the Job publishes its steps");
        }
        return properties;
    }

    private static int end(Path terminationLog, JobOutcome outcome, int code) {
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

    /** The run's steps, published as restore-service publishes them: caused by the request, never waited for. */
    private static final class Steps implements RestoreRun.Coordination {
        private final RestoreJobSpec spec;
        private final RestorePlan plan;
        private final KafkaEventPublisher publisher;
        private java.util.concurrent.CompletableFuture<Void> sent = java.util.concurrent.CompletableFuture
                .completedFuture(null);

        Steps(RestoreJobSpec spec, RestorePlan plan, KafkaEventPublisher publisher) {
            this.spec = spec;
            this.plan = plan;
            this.publisher = publisher;
        }

        @Override
        public void step(RestoreStepName step, RestoreStepStatus status, String detail) {
            log(step.wireName() + " " + status.wireName() + (detail == null ? "" : ": " + detail));
            try {
                Envelope<RestoreStep> event = Envelope.inCorrelation(spec.request().correlationId(),
                        spec.request().id(), spec.source(), new RestoreStep(plan.cluster(), plan.restoreId(), step,
                                status, detail)).withTraceparent(spec.request().traceparent());
                java.util.concurrent.CompletableFuture<Void> one = publisher.publish(event).toCompletableFuture();
                sent = java.util.concurrent.CompletableFuture.allOf(sent, one.exceptionally(e -> {
                    log("step " + step.wireName() + " " + status.wireName() + " not published: " + e.getMessage());
                    return null;
                }));
            } catch (RuntimeException e) {
                log("step " + step.wireName() + " " + status.wireName() + " not published: " + e.getMessage());
            }
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

        void flush() {
            try {
                sent.get(FLUSH.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log("some step events were not published within " + FLUSH.toSeconds() + " s: " + e);
            }
        }
    }
}
