package io.stowage.restore.steps;

import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.postgres.ArchiveSlot;
import io.stowage.postgres.ServerConnection;
import io.stowage.postgres.ServerControl;
import io.stowage.postgres.StartOptions;
import io.stowage.postgres.WalSegments;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.plan.WalChain;
import io.stowage.restore.steps.StepResult.Done;
import io.stowage.restore.steps.StepResult.Skipped;
import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.stowage.events.data.RestoreStepName.BACKUP_AFTER_RESTORE;
import static io.stowage.events.data.RestoreStepName.FETCH_BASE_BACKUP;
import static io.stowage.events.data.RestoreStepName.FETCH_WAL;
import static io.stowage.events.data.RestoreStepName.RESTART_PREVIOUS_PRIMARY;
import static io.stowage.events.data.RestoreStepName.START_RESTORED;
import static io.stowage.events.data.RestoreStepName.STOP_PRIMARY;
import static io.stowage.events.data.RestoreStepName.STOP_RESTORED;
import static io.stowage.events.data.RestoreStepName.SWITCH_DATA_DIRECTORY;
import static io.stowage.events.data.RestoreStepName.VERIFY_BACKUP;
import static io.stowage.events.data.RestoreStepName.WAIT_PROMOTION;
import static io.stowage.events.data.RestoreStepName.WRITE_RECOVERY_SETTINGS;
import static io.stowage.events.data.RestoreStepStatus.COMPLETED;
import static io.stowage.events.data.RestoreStepStatus.STARTED;

/**
 * One restore, run as named steps, each published when it starts and when it is done (or skipped, when an earlier
 * run of the same restore did it). Every step is safe to run again: a restore that failed, or whose service was
 * killed, is requested again and goes on from what its state file says is done.
 *
 * <p>In place, the previous primary runs until the backup is fetched, checked and its WAL is in place; it is then
 * stopped, the restored copy is started beside it and promoted, and only then becomes the data directory, the
 * previous one kept aside (never deleted). If anything fails before that switch, the previous primary is started
 * again on its own, untouched data.
 */
public final class RestoreRun {
    private static final String LOG_FILE = "stowage-restore.log";
    /** How often the restored server is asked whether it has promoted: a question on an open connection is cheap. */
    static final Duration PROMOTION_POLL = Duration.ofMillis(50);
    /** A step whose work this restore's state file (or the server itself) shows done. */
    private static final Skipped ALREADY_DONE = new Skipped("already done");
    private static final Skipped DONE_EARLIER = new Skipped("done by an earlier run of this restore");
    /** The steps up to and with the switch, in their order: all done once the state file records the switch. */
    private static final List<RestoreStepName> UP_TO_THE_SWITCH = List.of(FETCH_BASE_BACKUP, VERIFY_BACKUP,
            FETCH_WAL, WRITE_RECOVERY_SETTINGS, STOP_PRIMARY, START_RESTORED, WAIT_PROMOTION, SWITCH_DATA_DIRECTORY);

    /** What a run needs from the bus: step events, backup-service's pause and resume, a backup request. */
    public interface Coordination {
        /** Reports a step; never waits for the broker, never throws: the steps go on whatever the bus does. */
        void step(RestoreStepName step, RestoreStepStatus status, String detail);

        /**
         * Step {@code pause-archiving}: asks backup-service to pause WAL archiving and backups of the cluster
         * (STARTED), and waits for its answer (the same step COMPLETED, published by backup-service).
         */
        void pauseArchiving() throws StepFailure;

        /** Step {@code resume-archiving}: the same handshake, to resume. */
        void resumeArchiving() throws StepFailure;

        /** Requests a base backup of the cluster; returns its id. */
        String requestBackup();
    }

    /** Timings of the run. */
    public record Timings(Duration promotionTimeout, Duration stallTimeout, int walFetchThreads) {
    }

    /** Where the cluster runs now, and where its previous data is (null for a new instance). */
    public record Outcome(Path dataDirectory, Path previousDataDirectory) {
    }

    /** The work of one step. */
    @FunctionalInterface
    private interface StepWork {
        StepResult run() throws Exception;
    }

    private final RestorePlan plan;
    private final Map<String, BackupStorage> storages;
    private final ServerControl postgres;
    /** How the restored server is reached over SQL (the cluster's host, user and password; the restore's port). */
    private final ServerConnection sql;
    private final Coordination bus;
    private final Timings timings;
    /** Where the backup is restored to first (beside the data directory in place, the target for a new instance). */
    private final Path restored;
    private RestoreState state;
    /** Whether this run unpacked the backup and compared every file's checksum with backup_manifest on the way. */
    private boolean checksumsChecked;
    /** The step running now, named by a failure that is not the step's own (a bug, a broken promise of the bus). */
    private RestoreStepName current = FETCH_BASE_BACKUP;

    /** @param storages the cluster's storages, opened, in the order WAL is read from them (the main first) */
    public RestoreRun(RestorePlan plan, Map<String, BackupStorage> storages, ServerControl postgres,
                      ServerConnection sql, Coordination bus, Timings timings) {
        this.plan = plan;
        this.storages = storages;
        this.postgres = postgres;
        this.sql = sql;
        this.bus = bus;
        this.timings = timings;
        this.restored = plan.restoreDirectory();
    }

    public Outcome run() throws StepFailure {
        openState();
        if (plan.inPlace()) {
            bus.pauseArchiving();
        }
        try {
            if (state.switched()) {
                for (RestoreStepName step : UP_TO_THE_SWITCH) {
                    publishEnd(step, DONE_EARLIER);
                }
                ensureRunning(plan.dataDirectory());
            } else {
                restoreBeside();
            }
        } catch (StepFailure failure) {
            throw resumeAfter(removeUnfinishedCopy(restartPrevious(failure)));
        } catch (RuntimeException e) {
            // Whatever failed, a cluster is never left without a primary: the previous one runs again.
            throw resumeAfter(removeUnfinishedCopy(restartPrevious(new StepFailure(current, e.toString(), e))));
        }
        if (plan.inPlace()) {
            bus.resumeArchiving();
        }
        if (plan.backupAfterRestore()) {
            step(BACKUP_AFTER_RESTORE, "a base backup of the restored cluster, as pgBackRest advises",
                    this::backupAfterRestore);
        }
        return plan.inPlace() ? new Outcome(plan.dataDirectory(), plan.keptDirectory())
                : new Outcome(plan.dataDirectory(), null);
    }

    /** The restore up to its switch: the copy is made, checked and promoted beside the running primary. */
    private void restoreBeside() throws StepFailure {
        step(FETCH_BASE_BACKUP, this::fetchBaseBackup);
        step(VERIFY_BACKUP, this::verifyBackup);
        // A run killed after PostgreSQL promoted the copy left it on a new timeline: writing the recovery settings
        // into it again would start it as a standby that waits forever. What is left is to start it and switch.
        boolean promoted = promotedEarlier();
        step(FETCH_WAL, () -> promoted ? ALREADY_DONE : fetchWal());
        step(WRITE_RECOVERY_SETTINGS, () -> promoted ? ALREADY_DONE : writeRecoverySettings());
        List<String> options = startOptions();
        if (plan.inPlace()) {
            step(STOP_PRIMARY, this::stopPrimary);
        }
        step(START_RESTORED, () -> startRestored(options));
        step(WAIT_PROMOTION, this::waitPromotion);
        if (plan.inPlace()) {
            step(SWITCH_DATA_DIRECTORY, () -> switchDataDirectory(options));
        } else {
            removeRecoverySettings();
        }
        if (plan.intoVolume()) {
            step(STOP_RESTORED, this::stopRestored);
        }
    }

    /**
     * Step {@code stop-restored} (into a new volume): the promoted copy is shut down cleanly (a shutdown checkpoint),
     * so that the server that mounts the volume next starts without recovery.
     */
    private StepResult stopRestored() throws IOException {
        if (!postgres.isRunning(restored)) {
            return ALREADY_DONE;
        }
        postgres.stop(restored);
        return new Done("the promoted copy in " + restored + " is shut down cleanly: mount the volume and start a "
                + "server on it");
    }

    /** Refuses a folder this restore did not make, and records the restore in its state file. */
    private void openState() throws StepFailure {
        try {
            boolean known = Files.exists(plan.stateFile());
            if (!known && nonEmpty(restored)) {
                throw new StepFailure(FETCH_BASE_BACKUP, restored + " exists and was not made by restore "
                        + plan.restoreId() + ": a restore never writes over data");
            }
            state = RestoreState.readOr(plan.stateFile(),
                    RestoreState.fresh(plan.restoreId(), plan.backup().backupId(), plan.storage()));
            if (plan.inPlace() && !state.switched() && folders().done()) {
                // Killed between moving the copy in and saving that: the folders say what the state file missed.
                state = state.withSwitched();
            }
            Files.createDirectories(plan.stateFile().getParent());
            state.write(plan.stateFile());
        } catch (IOException e) {
            throw new StepFailure(FETCH_BASE_BACKUP, "cannot use the restore's state file " + plan.stateFile()
                    + ": " + e.getMessage(), e);
        }
    }

    /** Step {@code fetch-base-backup}: base.tar.zst streamed from its storage, checked, and unpacked. */
    private StepResult fetchBaseBackup() throws IOException {
        if (state.extractedSha256() != null && Files.exists(restored.resolve("PG_VERSION"))) {
            return ALREADY_DONE;
        }
        String shortfall = DiskSpace.shortfall(plan, restored, DiskSpace.usable(restored) + bytesIn(restored));
        if (shortfall != null) {
            throw new IOException(shortfall);
        }
        prepareEmpty(restored);
        BackupStorage storage = storages.get(plan.storage());
        BackupManifest manifest = BaseBackupFetch.manifest(storage, plan.backup().backupId());
        BaseBackupFetch.Fetched f = BaseBackupFetch.fetch(storage, manifest, restored);
        // PostgreSQL starts only on a data directory no one else may read.
        Files.setPosixFilePermissions(restored, PosixFilePermissions.fromString("rwx------"));
        postgres.handOver(restored);
        save(state.extracted(f.sha256()));
        checksumsChecked = f.checksums().complete();
        String checksums = f.checksums().complete()
                ? "the CRC-32C of all " + f.checksums().checked() + " files matches backup_manifest"
                : "file checksums left to pg_verifybackup (" + f.checksums().why() + ")";
        return new Done(String.format(
                "base.tar.zst (%s stored, SHA-256 %s checked) extracted into %s: %d files, %s; %s",
                mib(f.storedBytes()), f.sha256().substring(0, 12), restored, f.files(), mib(f.bytes()), checksums));
    }

    /** Step {@code verify-backup}: pg_verifybackup on the copy, without the checksums the fetch compared. */
    private StepResult verifyBackup() throws IOException {
        if (state.verified()) {
            return ALREADY_DONE;
        }
        ServerControl.Result r = postgres.verifyBackup(restored, checksumsChecked);
        if (r.exitCode() != 0) {
            throw new IOException("pg_verifybackup found the restored copy damaged: " + r.output().strip());
        }
        save(state.withVerified());
        return new Done(checksumsChecked
                ? "pg_verifybackup --skip-checksums: every file backup_manifest lists is there, with its size,"
                + " and no other, and the backup's WAL parses; each file's checksum was compared as it was unpacked"
                : "pg_verifybackup: every file and the backup's WAL match backup_manifest");
    }

    /** Step {@code fetch-wal}: the segments from the backup's stop to the target, and the timeline histories. */
    private StepResult fetchWal() throws IOException, InterruptedException {
        if (plan.wal().isEmpty() && plan.histories().isEmpty()) {
            // Not "already done": there is nothing to do, which is worth saying as such.
            return new Done("no WAL to fetch: the backup holds what recovery to its end needs");
        }
        WalFetch.Fetched f = WalFetch.fetch(plan, storages, restored.resolve("pg_wal"), timings.walFetchThreads());
        if (plan.pitr() != null && plan.pitr().lsn() != null && f.lastSegment() != null) {
            long needed = WalChain.numberOfLsn(WalSegments.parseLsn(plan.pitr().lsn()));
            if (WalChain.number(f.lastSegment()) < needed) {
                throw new IOException("the archived WAL of timeline " + plan.backup().timeline() + " ends with "
                        + f.lastSegment() + ", before LSN " + plan.pitr().lsn() + " (segment "
                        + WalChain.name(plan.timeline(), needed) + " is on no storage)");
            }
        }
        postgres.handOver(restored.resolve("pg_wal"));
        save(state.walFetched(f.lastSegment()));
        return new Done(f.segments() + " WAL segments" + (f.lastSegment() == null ? "" : " up to " + f.lastSegment())
                + " and " + f.histories().size() + " timeline history files in " + restored.resolve("pg_wal"));
    }

    /** Step {@code write-recovery-settings}: the recovery target and standby.signal in the copy. */
    private StepResult writeRecoverySettings() throws IOException {
        RecoverySettings.write(plan, restored);
        postgres.handOver(restored);
        return new Done("recover to " + plan.describeTarget() + " on timeline " + plan.backup().timeline()
                + ", then promote");
    }

    /** How the restored copy is started: with the primary's own options (read once, kept in the state file). */
    private List<String> startOptions() throws StepFailure {
        try {
            if (state.startOptions() == null) {
                Path original = plan.postgres().dataDirectory() == null ? null
                        : Path.of(plan.postgres().dataDirectory());
                save(state.withStartOptions(original != null && Files.isDirectory(original)
                        ? StartOptions.read(original) : List.of()));
            }
        } catch (IOException e) {
            throw new StepFailure(STOP_PRIMARY, "cannot read how the primary was started: " + e.getMessage(), e);
        }
        if (plan.intoVolume()) {
            return StartOptions.withPort(volumeServerOptions(), plan.port());
        }
        return plan.inPlace() ? withPortIfMissing(state.startOptions(), plan.port())
                : StartOptions.withPort(state.startOptions(), plan.port());
    }

    /** Step {@code stop-primary} (in place): the primary stops; its data stays as it is. */
    private StepResult stopPrimary() throws IOException {
        if (!postgres.isRunning(plan.dataDirectory())) {
            return ALREADY_DONE;
        }
        save(state.primaryStopped(true));
        postgres.stop(plan.dataDirectory());
        return new Done("the primary on " + plan.dataDirectory() + " is stopped; its data stays as it is");
    }

    /**
     * How the copy runs in a restore Job's container, whatever its own postgresql.conf says: on 127.0.0.1 alone, no
     * socket folder (the image's is read-only), its own pg_hba.conf replaced by one that trusts 127.0.0.1 only (the
     * copy's may ask for TLS or a password), no TLS (its certificate files are not there), no archiving (its
     * archive_command would push the copy's new timeline to the production archive), no log collector (its folder
     * may not exist), no huge pages, and a modest shared_buffers for the Job's memory.
     */
    private List<String> volumeServerOptions() {
        return List.of("-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                "-c", "hba_file=" + volumeHbaFile(), "-c", "ssl=off", "-c", "archive_mode=off",
                "-c", "logging_collector=off", "-c", "huge_pages=off", "-c", "shared_buffers=128MB");
    }

    /** Beside the data directory on the volume, so that a later server on it uses the copy's own again. */
    private Path volumeHbaFile() {
        return plan.dataDirectory().resolveSibling("pg_hba.restore-" + plan.restoreId() + ".conf");
    }

    /** Step {@code start-restored}: the copy starts recovering, on the cluster's port or the target's. */
    private StepResult startRestored(List<String> options) throws IOException {
        if (postgres.isRunning(restored)) {
            return ALREADY_DONE;
        }
        // PostgreSQL starts only on a data directory no one else may read; a volume's fsGroup may have opened it.
        Files.setPosixFilePermissions(restored, PosixFilePermissions.fromString("rwx------"));
        if (plan.intoVolume()) {
            Files.writeString(volumeHbaFile(), "# written by Stowage's restore " + plan.restoreId()
                    + ": the restored copy is reached from 127.0.0.1 only while it is restored\n"
                    + "host all all 127.0.0.1/32 trust\n");
            postgres.handOver(volumeHbaFile());
        }
        postgres.start(restored, options, restored.resolve(LOG_FILE));
        return new Done("recovering on port " + plan.port() + " from " + restored);
    }

    /** Step {@code wait-promotion}: replay reaches the target and the copy promotes itself. */
    private StepResult waitPromotion() throws IOException, InterruptedException, SQLException {
        try (RecoveryProbe probe = new RecoveryProbe(sql, plan.port())) {
            return new Done(awaitPromotion(probe));
        }
    }

    private String awaitPromotion(RecoveryProbe probe)
            throws IOException, InterruptedException, SQLException {
        long deadline = System.nanoTime() + timings.promotionTimeout().toNanos();
        long lastLsn = -1;
        long lastChange = System.nanoTime();
        while (true) {
            RecoveryProbe.Status status;
            try {
                status = probe.status();
            } catch (SQLException e) {
                if (!postgres.isRunning(restored)) {
                    throw new IOException("the restored server stopped during recovery (see "
                            + restored.resolve(LOG_FILE) + ")");
                }
                status = null;
            }
            if (status != null && !status.inRecovery()) {
                String timeline = probe.queryOne("select timeline_id from pg_control_checkpoint()");
                return "promoted at LSN " + WalSegments.formatLsn(status.replayLsn()) + " (target "
                        + plan.describeTarget() + "); new timeline " + timeline + holdNewTimeline(probe);
            }
            long now = System.nanoTime();
            if (status != null && status.replayLsn() != lastLsn) {
                lastLsn = status.replayLsn();
                lastChange = now;
            } else if (now - lastChange > timings.stallTimeout().toNanos()) {
                throw new IOException("replay stopped at LSN " + WalSegments.formatLsn(Math.max(lastLsn, 0))
                        + " without reaching the target " + plan.describeTarget() + ": the archived WAL ends there"
                        + (state.walFetchedThrough() == null ? "" : " (last segment " + state.walFetchedThrough()
                        + ")"));
            }
            if (now > deadline) {
                throw new IOException("not promoted within " + timings.promotionTimeout());
            }
            Thread.sleep(PROMOTION_POLL.toMillis());
        }
    }

    /**
     * In place, with archiving on: the archiver's slot, made on the promoted copy at once, so that the new
     * timeline's WAL stays in its pg_wal until archiving resumes, however much the cluster writes and checkpoints
     * meanwhile (without it, backup-service would find the timeline's first segments removed).
     */
    private String holdNewTimeline(RecoveryProbe probe) throws SQLException {
        if (!plan.inPlace() || !plan.pitrArchiving()) {
            return "";
        }
        String slot = ArchiveSlot.name(plan.cluster());
        probe.queryOne("select count(pg_create_physical_replication_slot(slot_name, true)) from (select '" + slot
                + "'::name as slot_name) s where not exists (select 1 from pg_replication_slots r where r.slot_name"
                + " = s.slot_name)");
        return "; slot " + slot + " holds its WAL for archiving";
    }

    /**
     * Step {@code switch-data-directory} (in place): the promoted copy becomes the data directory, the previous one
     * is kept beside it, never deleted.
     */
    private StepResult switchDataDirectory(List<String> options) throws IOException {
        postgres.stop(restored);
        RecoverySettings.remove(plan, restored);
        DataDirectorySwitch folders = folders();
        postgres.handOver(folders.mark());
        folders.run();
        save(state.withSwitched());
        postgres.start(plan.dataDirectory(), options, plan.dataDirectory().resolve(LOG_FILE));
        return new Done("the cluster runs on " + plan.dataDirectory() + "; its previous data is kept in "
                + plan.keptDirectory());
    }

    private DataDirectorySwitch folders() {
        return new DataDirectorySwitch(plan.dataDirectory(), restored, plan.keptDirectory(), plan.restoreId());
    }

    /** A new instance keeps running where it was restored: only its recovery settings go. */
    private void removeRecoverySettings() throws StepFailure {
        try {
            RecoverySettings.remove(plan, restored);
        } catch (IOException e) {
            throw new StepFailure(WAIT_PROMOTION, "cannot remove the recovery settings: " + e.getMessage(), e);
        }
    }

    /** Step {@code backup-after-restore}: a base backup of the restored cluster is requested. */
    private StepResult backupAfterRestore() {
        return new Done("backup " + bus.requestBackup() + " requested");
    }

    /** Whether the restored copy is past its recovery already: its checkpoints are on a later timeline. */
    private boolean promotedEarlier() throws StepFailure {
        try {
            return Files.exists(restored.resolve("global").resolve("pg_control"))
                    && postgres.checkpointTimeline(restored) > plan.timeline();
        } catch (IOException e) {
            throw new StepFailure(FETCH_WAL, "cannot read the restored copy's pg_control: " + e.getMessage(), e);
        }
    }

    private static List<String> withPortIfMissing(List<String> options, int port) {
        return options.contains("-p") || options.stream().anyMatch(o -> o.startsWith("port="))
                ? options : StartOptions.withPort(options, port);
    }

    private void ensureRunning(Path dataDirectory) throws StepFailure {
        try {
            if (!postgres.isRunning(dataDirectory)) {
                postgres.start(dataDirectory, state.startOptions() == null ? List.of() : state.startOptions(),
                        dataDirectory.resolve(LOG_FILE));
            }
        } catch (IOException e) {
            throw new StepFailure(SWITCH_DATA_DIRECTORY, e.getMessage(), e);
        }
    }

    /** Before the switch, a failure leaves the previous primary running on its own data, as it was. */
    private StepFailure restartPrevious(StepFailure failure) {
        if (!plan.inPlace() || state.switched() || !state.primaryStopped()) {
            return failure;
        }
        bus.step(RESTART_PREVIOUS_PRIMARY, STARTED, "the restore failed at " + failure.step().wireName());
        try {
            if (postgres.isRunning(plan.restoreDirectory())) {
                postgres.stop(plan.restoreDirectory());
            }
            if (!Files.exists(plan.dataDirectory()) && Files.exists(plan.keptDirectory())) {
                // Failed (or killed, then failed) mid-switch: the previous data goes back where it was.
                Files.move(plan.keptDirectory(), plan.dataDirectory(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                DataDirectorySwitch.sync(plan.dataDirectory().getParent());
            }
            if (!postgres.isRunning(plan.dataDirectory())) {
                postgres.start(plan.dataDirectory(), state.startOptions(), plan.dataDirectory().resolve(LOG_FILE));
            }
            save(state.primaryStopped(false));
            bus.step(RESTART_PREVIOUS_PRIMARY, COMPLETED, "the previous primary runs again on " + plan.dataDirectory());
            return failure;
        } catch (IOException | RuntimeException e) {
            return new StepFailure(failure.step(), failure.getMessage() + "; and the previous primary could not be "
                    + "started again: " + e.getMessage(), failure);
        }
    }

    /**
     * A restore that failed while it fetched or checked its copy removes that copy (it may be what filled the disk)
     * and its state file, so that a later run starts afresh. A copy that got further stays: its server's log
     * ({@value #LOG_FILE}) says why it did not promote. Never a folder a server runs on, never the data directory.
     */
    private StepFailure removeUnfinishedCopy(StepFailure failure) {
        if (!List.of(FETCH_BASE_BACKUP, VERIFY_BACKUP, FETCH_WAL).contains(failure.step()) || state.switched()
                || state.primaryStopped()) {
            // A previous primary this restore stopped and could not start again: the state file is how a rerun
            // knows to start it.
            return failure;
        }
        try {
            if (Files.exists(restored) && !postgres.isRunning(restored)
                    && !restored.equals(plan.postgres().dataDirectory() == null ? null
                    : Path.of(plan.postgres().dataDirectory()).toAbsolutePath().normalize())) {
                prepareEmpty(restored);
                Files.delete(restored);
            }
            Files.deleteIfExists(plan.stateFile());
            return failure;
        } catch (IOException | RuntimeException e) {
            return new StepFailure(failure.step(), failure.getMessage() + "; and its unfinished copy " + restored
                    + " could not be removed: " + e.getMessage(), failure);
        }
    }

    /**
     * A failed in-place restore leaves the cluster as it was, archiving and backups included: they are resumed
     * (a restore that stopped half-way must not silently end the WAL chain).
     */
    private StepFailure resumeAfter(StepFailure failure) {
        if (!plan.inPlace()) {
            return failure;
        }
        try {
            bus.resumeArchiving();
            return failure;
        } catch (StepFailure | RuntimeException e) {
            return new StepFailure(failure.step(), failure.getMessage() + "; and archiving could not be resumed: "
                    + e.getMessage(), failure);
        }
    }

    private void step(RestoreStepName name, StepWork work) throws StepFailure {
        step(name, null, work);
    }

    /** Runs one step between its STARTED event and its COMPLETED or SKIPPED one; its exceptions fail it. */
    private void step(RestoreStepName name, String startDetail, StepWork work) throws StepFailure {
        current = name;
        bus.step(name, STARTED, startDetail);
        StepResult result;
        try {
            result = work.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailure(name, "interrupted", e);
        } catch (Exception e) {
            throw new StepFailure(name, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
        publishEnd(name, result);
    }

    private void publishEnd(RestoreStepName name, StepResult result) {
        bus.step(name, result.status(), result.detail());
    }

    private void prepareEmpty(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            Files.createDirectories(dir);
            return;
        }
        // Only this restore's own unfinished copy is ever emptied (its state file says it is ours), and never under
        // a server running on it.
        if (postgres.isRunning(dir)) {
            throw new IOException("a server runs on " + dir + ": it is not emptied");
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        }
    }

    /** What an unfinished copy of this restore holds already: it is emptied first, so its room counts as free. */
    private static long bytesIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static boolean nonEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Files.exists(dir);
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    private void save(RestoreState next) throws IOException {
        state = next;
        state.write(plan.stateFile());
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
