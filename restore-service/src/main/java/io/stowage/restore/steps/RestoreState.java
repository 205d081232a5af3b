package io.stowage.restore.steps;

import io.stowage.events.EventJson;

import io.stowage.restore.plan.RestorePlanner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * A restore's own record of what it has done, kept beside the folders it makes ({@code <data>.restore-<id>.json}),
 * so a run of the same restore after a failure or a kill knows which steps are done. It stays after the restore
 * as a note of what was restored, and where the previous data is.
 *
 * @param extractedSha256 the SHA-256 of the base archive once it is extracted and checked; null before
 * @param startOptions    the server options the previous primary ran with (its postmaster.opts)
 * @param primaryStopped  whether this restore stopped the previous primary (it is started again if the restore fails
 *                        before the switch)
 * @param switched        whether the restored folder is the cluster's data directory now
 */
public record RestoreState(
        String restoreId,
        String backupId,
        String storage,
        String extractedSha256,
        boolean verified,
        String walFetchedThrough,
        List<String> startOptions,
        boolean primaryStopped,
        boolean switched) {

    static RestoreState fresh(String restoreId, String backupId, String storage) {
        return new RestoreState(restoreId, backupId, storage, null, false, null, null, false, false);
    }

    /**
     * The state in {@code file}, or {@code fresh} when there is none.
     *
     * @throws IOException when the file records another backup or storage: a restore id restores one backup, and
     *                     its folders (a copy, maybe a server running on it) are never reset for another
     */
    static RestoreState readOr(Path file, RestoreState fresh) throws IOException {
        if (!Files.exists(file)) {
            return fresh;
        }
        RestoreState s = EventJson.MAPPER.readValue(file.toFile(), RestoreState.class);
        if (!s.backupId().equals(fresh.backupId()) || !s.storage().equals(fresh.storage())) {
            throw new IOException(file + " records restore " + s.restoreId() + " of backup " + s.backupId()
                    + " from storage '" + s.storage() + "', not " + fresh.backupId() + " from '" + fresh.storage()
                    + "': a restore id restores one backup");
        }
        return s;
    }

    /** What the restore whose state file is {@code file} was begun with; empty if it was never run. */
    public static Optional<RestorePlanner.Begun> begun(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        RestoreState s = EventJson.MAPPER.readValue(file.toFile(), RestoreState.class);
        return Optional.of(new RestorePlanner.Begun(s.backupId(), s.storage(), file));
    }

    void write(Path file) throws IOException {
        // Durable before the step it records goes on: written aside, forced to disk, renamed, its folder forced.
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
        DataDirectorySwitch.sync(tmp);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        DataDirectorySwitch.sync(file.getParent());
    }

    RestoreState extracted(String sha256) {
        return new RestoreState(restoreId, backupId, storage, sha256, false, null, startOptions, primaryStopped,
                switched);
    }

    RestoreState withVerified() {
        return new RestoreState(restoreId, backupId, storage, extractedSha256, true, walFetchedThrough, startOptions,
                primaryStopped, switched);
    }

    RestoreState walFetched(String through) {
        return new RestoreState(restoreId, backupId, storage, extractedSha256, verified, through, startOptions,
                primaryStopped, switched);
    }

    RestoreState withStartOptions(List<String> options) {
        return new RestoreState(restoreId, backupId, storage, extractedSha256, verified, walFetchedThrough, options,
                primaryStopped, switched);
    }

    RestoreState primaryStopped(boolean stopped) {
        return new RestoreState(restoreId, backupId, storage, extractedSha256, verified, walFetchedThrough,
                startOptions, stopped, switched);
    }

    RestoreState withSwitched() {
        return new RestoreState(restoreId, backupId, storage, extractedSha256, verified, walFetchedThrough,
                startOptions, primaryStopped, true);
    }
}
