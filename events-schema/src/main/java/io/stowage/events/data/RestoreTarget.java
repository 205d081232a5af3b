package io.stowage.events.data;

/**
 * Where a restore to a NEW instance goes, instead of in place: the running primary is not touched. This is how a
 * team drills restores.
 *
 * @param dataDirectory an absolute folder that does not exist yet (or is empty)
 * @param port          the port the restored instance listens on
 */
public record RestoreTarget(String dataDirectory, Integer port) {
}
