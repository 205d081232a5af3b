package io.stowage.restore.steps;

import io.stowage.events.EventJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

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

    static RestoreState readOr(Path file, RestoreState fresh) throws IOException {
        if (!Files.exists(file)) {
            return fresh;
        }
        RestoreState s = EventJson.MAPPER.readValue(file.toFile(), RestoreState.class);
        // Another backup restored under the same id: nothing of the earlier run can be trusted.
        return s.backupId().equals(fresh.backupId()) && s.storage().equals(fresh.storage()) ? s : fresh;
    }

    void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
