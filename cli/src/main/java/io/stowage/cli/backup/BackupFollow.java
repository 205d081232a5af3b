package io.stowage.cli.backup;

import io.stowage.bus.BusReader;
import io.stowage.cli.render.ProgressBar;
import io.stowage.cli.render.Text;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.BackupProgress;
import io.stowage.events.data.BackupStarted;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One backup request followed on the bus: its answers (every event of the request's correlation but the request
 * itself) printed as they come, a progress bar for {@code backup.progress} that ends full on completion, and the
 * outcome once it is there. Events of other requests are passed over.
 */
public final class BackupFollow {
    /** How the backup ended: exactly one of the two is set. */
    public record Outcome(BackupCompleted completed, BackupFailed failed) {
        public boolean succeeded() {
            return completed != null;
        }
    }

    private final String correlationId;
    private final PrintWriter out;
    private final boolean redraw;
    private int barLength = -1; // the length of the bar on screen, -1 when there is none
    private boolean answered;

    /**
     * @param redraw true on a terminal: the bar is redrawn in place ({@code \r}); false (a pipe, a log): one line
     *               per progress event
     */
    public BackupFollow(String correlationId, PrintWriter out, boolean redraw) {
        this.correlationId = correlationId;
        this.out = out;
        this.redraw = redraw;
    }

    /** Whether backup-service has said anything about the request yet. */
    public boolean answered() {
        return answered;
    }

    /** Takes one record off {@code stowage.backup}; returns the outcome when this record is it. */
    public Optional<Outcome> accept(BusReader.Read read) {
        if (!read.valid() || !correlationId.equals(read.event().correlationId())) {
            return Optional.empty();
        }
        Object data = read.event().data();
        Optional<Outcome> outcome = Optional.empty();
        if (data instanceof BackupStarted s) {
            answered = true;
            endBar();
            out.println("Started: backup " + Text.clean(s.backupId()) + ", one read of " + Text.clean(s.cluster())
                    + ", written to " + storages(s.storages()) + ".");
        } else if (data instanceof BackupProgress p) {
            answered = true;
            bar(ProgressBar.line(p.bytesDone(), p.bytesTotalEstimate() == null ? 0 : p.bytesTotalEstimate(),
                    p.bytesPerSecond() == null ? 0 : p.bytesPerSecond()));
        } else if (data instanceof BackupCompleted c) {
            answered = true;
            // Always a full bar to end with: a backup quicker than one progress interval gets one too.
            bar(ProgressBar.complete(c.sizeBytes()));
            endBar();
            out.println("Completed: backup " + Text.clean(c.backupId()) + " on " + storages(c.storages()) + ": "
                    + Text.bytes(c.sizeBytes()) + " read, " + Text.bytes(c.storedBytes()) + " stored (zstd)"
                    + ", WAL " + Text.clean(c.startLsn()) + " to " + Text.clean(c.stopLsn()) + " on timeline "
                    + Text.clean(c.timeline()) + took(c) + ".");
            outcome = Optional.of(new Outcome(c, null));
        } else if (data instanceof BackupFailed f) {
            answered = true;
            endBar();
            outcome = Optional.of(new Outcome(null, f));
        }
        out.flush();
        return outcome;
    }

    private void bar(String line) {
        if (redraw) {
            // Spaces over what a longer previous line left behind.
            out.print("\r" + line + " ".repeat(Math.max(0, barLength - line.length())));
            barLength = line.length();
        } else {
            out.println(line);
        }
    }

    private void endBar() {
        if (redraw && barLength >= 0) {
            out.println();
        }
        barLength = -1;
    }

    private static String storages(List<String> storages) {
        return storages == null || storages.isEmpty() ? "the main storage" : Text.clean(String.join(", ", storages));
    }

    private static String took(BackupCompleted c) {
        if (c.startTime() == null || c.stopTime() == null) {
            return "";
        }
        return ", in " + Text.duration(Duration.between(c.startTime(), c.stopTime()));
    }
}
