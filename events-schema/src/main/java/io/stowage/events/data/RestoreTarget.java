package io.stowage.events.data;

/**
 * Where a restore goes instead of in place: the running primary is not touched. Either a NEW instance on the
 * restore's host (a folder and a port; this is how a team drills restores), or, on Kubernetes, a NEW volume that a
 * Job restores into.
 *
 * @param dataDirectory an absolute folder that does not exist yet (or is empty); absent with a volume
 * @param port          the port the restored instance listens on; absent with a volume
 * @param volume        a new PersistentVolumeClaim (name, storage class, size)
 */
public record RestoreTarget(String dataDirectory, Integer port, VolumeTarget volume) {

    /** A new instance in {@code dataDirectory}, listening on {@code port}. */
    public RestoreTarget(String dataDirectory, Integer port) {
        this(dataDirectory, port, null);
    }

    /** A new volume. */
    public static RestoreTarget volume(VolumeTarget volume) {
        return new RestoreTarget(null, null, volume);
    }

    /** Whether the restore goes into a new volume, by a Job. */
    public boolean intoVolume() {
        return volume != null;
    }
}
