package io.stowage.backup.pipeline;

import java.io.IOException;
import java.time.Duration;

/**
 * The longest one run of a backup may take ({@code stowage.backup.max-duration}). Past it the run stops, reports why,
 * and its heartbeats stop, so that its request may be taken over.
 */
public final class RunDeadline {
    private final String backupId;
    private final Duration maxDuration;
    private final long endNanos;

    public RunDeadline(String backupId, Duration maxDuration) {
        this.backupId = backupId;
        this.maxDuration = maxDuration;
        this.endNanos = System.nanoTime() + maxDuration.toNanos();
    }

    public boolean passed() {
        return System.nanoTime() - endNanos >= 0;
    }

    /** Throws when the run has taken too long: called between the run's steps and as it reads. */
    public void check() throws IOException {
        if (passed()) {
            throw exceeded(null);
        }
    }

    /** The failure of a run that took too long; {@code cause} is what stopping it broke. */
    public IOException exceeded(Throwable cause) {
        return new IOException("backup " + backupId + " ran longer than stowage.backup.max-duration ("
                + maxDuration.toString().substring(2).toLowerCase(java.util.Locale.ROOT) + ") and was stopped", cause);
    }
}
